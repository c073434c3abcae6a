import DurableFS
import FoundationEssentials
import KeyrotConfig
import KeyrotCore
import Logging
import RotationEngine
import SystemdIntegration

/// What a rotation run is to the daemon: the engine's driver with its metrics, or a script in tests.
protocol RotationRunner: Sendable {
    func run(_ request: RotationRequest) async -> RotationOutcome
    /// Asks the running `run` to return at its next safe point.
    func requestStop()
}

extension RotationRuntime: RotationRunner {}

/// Everything the daemon takes from the outside world, so that tests drive it with a manual
/// clock, a recording notifier, scripted signals and a scripted runner.
struct DaemonContext: Sendable {
    var configPath: String
    var clock: any KeyrotClock
    var notifier: any ServiceNotifier
    var logger: Logger
    var signals: AsyncStream<DaemonSignal>
    var watchdog: Watchdog?
    var loadConfiguration: @Sendable () throws -> KeyrotConfiguration
    /// Prepares and locks the state directory without waiting (throws `lockHeld` when it is taken).
    var lockStateDirectory: @Sendable (KeyrotConfiguration) throws -> StateDirectoryLock
    /// The runner for a configuration, over the engine's clock and with these hooks around every port call.
    var makeRunner: @Sendable (KeyrotConfiguration, StateDirectoryLock, any KeyrotClock, [any PortCallHook]) throws -> any RotationRunner
    /// How long a run may take to reach a safe point after SIGTERM before it is abandoned: under
    /// the unit's TimeoutStopSec=30s with 10 s to spare for saving last-run.json and exiting.
    var stopBudget: Duration = .seconds(20)
    /// How often the daemon tries again for a lock another process holds.
    var lockRetryInterval: Duration = .seconds(5)
}

extension DaemonContext {
    /// The real world: systemd, the signals, the system clock, the engine over the real ports.
    static func live(configPath: String, notifier: any ServiceNotifier, logger: Logger, signals: SignalEvents) -> DaemonContext {
        let clock = SystemClock()
        var watchdog: Watchdog?
        do {
            watchdog = try Watchdog.fromEnvironment(notifier: notifier, logger: logger, clock: clock)
        } catch {
            logger.warning("watchdog not started: \(error)")
        }
        return DaemonContext(
            configPath: configPath, clock: clock, notifier: notifier, logger: logger, signals: signals.events,
            watchdog: watchdog,
            loadConfiguration: { try KeyrotConfiguration.load(path: configPath, environment: ProcessInfo.processInfo.environment, syntax: .credentialFiles) },
            lockStateDirectory: { try RotationRuntime.lockStateDirectory($0) },
            makeRunner: { configuration, _, clock, hooks in
                if configuration.fleet != nil {
                    return try FleetDaemonRuntime.runner(for: configuration, configPath: configPath, logger: logger, clock: clock,
                                                         status: { text in try? notifier.notify([.status(text)]) }, hooks: hooks)
                }
                return try RotationRuntime(configuration: configuration, logger: logger,
                                    status: { text in try? notifier.notify([.status(text)]) },
                                    clock: clock, hooks: hooks)
            })
    }
}
