import CredentialFiles
import DurableFS
import Foundation
@testable import KeyrotCLI
import KeyrotConfig
import KeyrotCore
import KeyrotTestSupport
import Logging
import RotationEngine
import Synchronization
import SystemdIntegration
import Testing

/// A scripted rotation runner: each run calls `script` with the hooks the daemon gave it and the
/// engine's clock, so a test decides what the run does (return at once, sleep through overlap,
/// hang in a port call) and sees every request.
final class ScriptedRunner: RotationRunner {
    typealias Script = @Sendable (RotationRequest, any KeyrotClock, PortCallHooks) async -> RotationOutcome
    let clock: any KeyrotClock
    let hooks: PortCallHooks
    private let script: Script
    private let state = Mutex<(requests: [RotationRequest], stops: Int)>(([], 0))

    init(clock: any KeyrotClock, hooks: [any PortCallHook], script: @escaping Script) {
        self.clock = clock
        self.hooks = PortCallHooks(hooks: hooks)
        self.script = script
    }

    func run(_ request: RotationRequest) async -> RotationOutcome {
        state.withLock { $0.requests.append(request) }
        return await script(request, clock, hooks)
    }

    func requestStop() {
        state.withLock { $0.stops += 1 }
    }

    var requests: [RotationRequest] { state.withLock { $0.requests } }
    var stopRequests: Int { state.withLock { $0.stops } }
}

/// A daemon in this process over a temporary state directory, a manual clock, a recording
/// notifier, signals the test sends and a scripted runner.
final class DaemonHarness: Sendable {
    let clock = ManualClock()
    let notifier = RecordingNotifier()
    let directory: URL
    let configuration: KeyrotConfiguration
    private let signalsContinuation: AsyncStream<DaemonSignal>.Continuation
    private let signals: AsyncStream<DaemonSignal>
    private let reloaded: Mutex<KeyrotConfiguration>
    private let runners = Mutex<[ScriptedRunner]>([])
    /// For each runner the daemon asked for: whether the state directory was locked at that moment.
    private let lockedWhenBuilt = Mutex<[Bool]>([])
    /// How often the daemon took the state directory's lock (or tried to).
    private let lockAttempts = Mutex(0)
    private let result = Mutex<Int32?>(nil)
    let script: ScriptedRunner.Script

    init(checkInterval: Duration = .seconds(3_600), script: @escaping ScriptedRunner.Script) throws {
        directory = FileManager.default.temporaryDirectory.appending(path: "keyrotd-daemon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        configuration = KeyrotConfiguration(
            user: "snowplow-operator", checkInterval: checkInterval, stateDirectory: directory.appending(path: "state").path,
            files: [CredentialFileSpec(path: directory.appending(path: "credentials").path, format: .awsCredentials)])
        reloaded = Mutex(configuration)
        (signals, signalsContinuation) = AsyncStream.makeStream(of: DaemonSignal.self)
        self.script = script
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    var lockPath: String { configuration.stateDirectory + "/keyrotd.lock" }

    /// The configuration the next SIGHUP loads.
    func setReloadedConfiguration(_ configuration: KeyrotConfiguration) {
        reloaded.withLock { $0 = configuration }
    }

    func context(watchdog: Duration? = nil) -> DaemonContext {
        let logger = Logger(label: "keyrotd.test")
        return DaemonContext(
            configPath: directory.appending(path: "keyrotd.yml").path, clock: clock, notifier: notifier, logger: logger,
            signals: signals,
            watchdog: watchdog.map { Watchdog(timeout: $0, notifier: notifier, logger: logger, clock: clock) },
            loadConfiguration: { [self] in reloaded.withLock { $0 } },
            lockStateDirectory: { [self] configuration in
                lockAttempts.withLock { $0 += 1 }
                return try RotationRuntime.lockStateDirectory(configuration)
            },
            makeRunner: { [self] _, _, clock, hooks in
                lockedWhenBuilt.withLock { $0.append(DaemonLiveness.holdsLock(lockPath)) }
                let runner = ScriptedRunner(clock: clock, hooks: hooks, script: script)
                runners.withLock { $0.append(runner) }
                return runner
            })
    }

    /// Starts the daemon's loop in a task of its own; ``exitStatus`` is set when it returns.
    @discardableResult
    func start(watchdog: Duration? = nil) -> Task<Void, Never> {
        let daemon = Daemon(configuration: configuration, context: context(watchdog: watchdog))
        let box = UncheckedDaemon(daemon: daemon)
        return Task { [self] in
            let status = await box.daemon.run()
            result.withLock { $0 = status }
        }
    }

    /// Ends the signal stream, as if the relay had died: the relay's service returns, which ends
    /// the daemon's helper group.
    func endSignals() {
        signalsContinuation.finish()
    }

    func send(_ signal: DaemonSignal) {
        signalsContinuation.yield(signal)
    }

    var exitStatus: Int32? { result.withLock { $0 } }
    var allRunners: [ScriptedRunner] { runners.withLock { $0 } }
    var requests: [RotationRequest] { allRunners.flatMap(\.requests) }
    var lockHeldWhenRunnersWereBuilt: [Bool] { lockedWhenBuilt.withLock { $0 } }
    var timesLocked: Int { lockAttempts.withLock { $0 } }
    var watchdogPings: Int { notifier.states.filter { $0 == .watchdog }.count }
}

/// The daemon is not Sendable (its loop owns its state); it is handed to the one task that runs it.
private struct UncheckedDaemon: @unchecked Sendable {
    let daemon: Daemon
}

/// A port call that never returns, as an open() blocked on a FIFO: it parks its task for good.
/// Cancellation does not end it either: a blocked system call would not return at all.
func hangForever() async {
    await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
}
