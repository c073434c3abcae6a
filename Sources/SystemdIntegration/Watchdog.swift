internal import CSystemd
import KeyrotCore
import Logging

/// Pings `WATCHDOG=1` at half the watchdog timeout, from its own task, while the work is alive.
///
/// A ping proves that the daemon's work makes progress, not only that a timer fires: before each
/// ping it asks `stuckWork` whether a step has been running past its bound (a file-system call
/// hung on a FIFO, say). While one is, it does not ping; systemd then kills the process after
/// `WatchdogSec=` and restarts it, and the next start resumes from the rotation record. Waits the
/// daemon makes on purpose (overlap, grace) are not steps and keep the pings going.
///
/// Run it as a child task next to the daemon's work; cancel the task to stop it.
public struct Watchdog: Sendable {
    /// The timeout systemd enforces (`WatchdogSec=`, seen as `$WATCHDOG_USEC`).
    public let timeout: Duration
    private let notifier: any ServiceNotifier
    private let logger: Logger
    private let clock: any KeyrotClock

    public init(timeout: Duration, notifier: any ServiceNotifier, logger: Logger, clock: any KeyrotClock = SystemClock()) {
        self.timeout = timeout
        self.notifier = notifier
        self.logger = logger
        self.clock = clock
    }

    /// The watchdog systemd asks for, or nil when `WatchdogSec=` is off or the timeout is meant
    /// for another process (`sd_watchdog_enabled(3)`).
    /// - Throws: ``SystemdError`` when `$WATCHDOG_USEC` or `$WATCHDOG_PID` cannot be parsed.
    public static func fromEnvironment(notifier: any ServiceNotifier, logger: Logger,
                                       clock: any KeyrotClock = SystemClock()) throws -> Watchdog? {
        var usec: UInt64 = 0
        let result = sd_watchdog_enabled(0, &usec)
        if result < 0 {
            throw SystemdError(
                code: -result,
                message: "sd_watchdog_enabled: $WATCHDOG_USEC or $WATCHDOG_PID is not a valid number; check WatchdogSec= in the unit")
        }
        guard result > 0, usec > 0 else { return nil }
        return Watchdog(timeout: .microseconds(usec), notifier: notifier, logger: logger, clock: clock)
    }

    /// How often ``run(stuckWork:)`` pings: half the timeout, as sd_watchdog_enabled(3) advises.
    public var pingInterval: Duration { timeout / 2 }

    /// Pings at once, then every ``pingInterval`` until the task is cancelled, skipping every ping
    /// while `stuckWork` describes a step stuck past its bound (nil: the work is alive).
    public func run(stuckWork: @Sendable () -> String? = { nil }) async {
        var withheld = false
        while !Task.isCancelled {
            if let stuck = stuckWork() {
                if !withheld {
                    logger.error("\(stuck): no more watchdog pings; systemd will restart keyrotd, which resumes from the rotation record")
                    withheld = true
                }
            } else {
                withheld = false
                do {
                    try notifier.notify(.watchdog)
                } catch {
                    logger.warning("watchdog ping failed: \(error)")
                }
            }
            do {
                try await clock.sleep(for: pingInterval)
            } catch {
                return
            }
        }
    }
}
