internal import CSystemd
import Logging

/// Pings `WATCHDOG=1` at half the watchdog timeout, from its own task.
///
/// Run it as a child task next to the daemon's work, so no AWS call or file write can delay a
/// ping; cancel the task to stop it:
///
///     try await withThrowingDiscardingTaskGroup { group in
///         if let watchdog = try Watchdog.fromEnvironment(notifier: notifier, logger: logger) {
///             group.addTask { await watchdog.run() }
///         }
///         ...
///     }
public struct Watchdog: Sendable {
    /// The timeout systemd enforces (`WatchdogSec=`, seen as `$WATCHDOG_USEC`).
    public let timeout: Duration
    private let notifier: any ServiceNotifier
    private let logger: Logger

    public init(timeout: Duration, notifier: any ServiceNotifier, logger: Logger) {
        self.timeout = timeout
        self.notifier = notifier
        self.logger = logger
    }

    /// The watchdog systemd asks for, or nil when `WatchdogSec=` is off or the timeout is meant
    /// for another process (`sd_watchdog_enabled(3)`).
    /// - Throws: ``SystemdError`` when `$WATCHDOG_USEC` or `$WATCHDOG_PID` cannot be parsed.
    public static func fromEnvironment(notifier: any ServiceNotifier, logger: Logger) throws -> Watchdog? {
        var usec: UInt64 = 0
        let result = sd_watchdog_enabled(0, &usec)
        if result < 0 {
            throw SystemdError(
                code: -result,
                message: "sd_watchdog_enabled: $WATCHDOG_USEC or $WATCHDOG_PID is not a valid number; check WatchdogSec= in the unit")
        }
        guard result > 0, usec > 0 else { return nil }
        return Watchdog(timeout: .microseconds(usec), notifier: notifier, logger: logger)
    }

    /// How often ``run()`` pings: half the timeout, as sd_watchdog_enabled(3) advises.
    public var pingInterval: Duration { timeout / 2 }

    /// Pings at once, then every ``pingInterval`` until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            do {
                try notifier.notify(.watchdog)
            } catch {
                logger.warning("watchdog ping failed: \(error)")
            }
            do {
                try await Task.sleep(for: pingInterval)
            } catch {
                return
            }
        }
    }
}
