import Foundation
import KeyrotCore

/// Restarts a unit through systemd's own D-Bus API (not `systemctl`): subscribes to the manager's
/// signals and matches `JobRemoved` first, then `TryRestartUnit(unit, "replace")` (or
/// `RestartUnit`, which also starts a stopped unit), waits for that job's result, then reads the
/// unit's `ActiveState`. try-restart leaves a stopped unit stopped; a unit that was running before,
/// or that `RestartUnit` started, must be active. Blocking: run it off the cooperative pool.
public struct SystemdUnitRestarter: Sendable {
    /// What became of the unit.
    public enum Result: Sendable, Hashable {
        /// The restart job finished and the unit is active.
        case restarted
        /// The unit was not running, and try-restart left it so.
        case stayedStopped(activeState: String)
    }

    let clock: any KeyrotClock

    public init(clock: any KeyrotClock) {
        self.clock = clock
    }

    public func restart(unit: String, startIfStopped: Bool = false, timeout: Duration) throws(UnitRestartError) -> Result {
        let deadline = clock.now.addingTimeInterval(Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        let bus: SystemBus
        do {
            bus = try SystemBus()
        } catch {
            throw UnitRestartError(.busUnavailable, unit: unit, "cannot connect to the system bus to restart \(unit) (\(error)); "
                + "check that dbus runs and that /run/dbus/system_bus_socket is reachable from keyrotd's unit", cause: error)
        }
        do {
            let wasActive = try activeState(of: unit, on: bus, before: deadline).map(Self.isRunning) ?? false
            let jobs = FinishedJobs()
            try bus.watchJobRemoved(into: jobs)
            _ = try bus.callSystemd("Subscribe", timeoutMicroseconds: remaining(until: deadline))
            guard let job = try bus.callSystemd(startIfStopped ? "RestartUnit" : "TryRestartUnit", strings: [unit, "replace"], reply: "o",
                                                timeoutMicroseconds: remaining(until: deadline)) else {
                throw BusFailure(call: "TryRestartUnit", errno: EBADMSG)
            }
            let result = try wait(for: job, jobs: jobs, on: bus, unit: unit, until: deadline)
            guard result == "done" else {
                throw UnitRestartError(.jobFailed, unit: unit, "the restart job of \(unit) ended with result `\(result)`; "
                    + "see `systemctl status \(unit)` and `journalctl -u \(unit)`")
            }
            let state = try activeState(of: unit, on: bus, before: deadline) ?? "inactive"
            if Self.isActive(state) { return .restarted }
            guard wasActive || startIfStopped else { return .stayedStopped(activeState: state) }
            throw UnitRestartError(.notActive, unit: unit, "\(unit) is \(state) after its restart, not active; "
                + "see `systemctl status \(unit)` and `journalctl -u \(unit)`")
        } catch let error as UnitRestartError {
            throw error
        } catch let error as BusFailure {
            throw Self.classify(error, unit: unit)
        } catch {
            throw UnitRestartError(.callFailed, unit: unit, "restarting \(unit) failed: \(error)")
        }
    }

    /// The unit's `LoadState` (`loaded`, `not-found`, `masked`, `error`...), after asking systemd to
    /// load it (`LoadUnit` changes nothing but systemd's cache; for `keyrotd check`).
    public func loadState(of unit: String) throws(UnitRestartError) -> String {
        do throws(BusFailure) {
            let bus = try SystemBus()
            guard let path = try bus.callSystemd("LoadUnit", strings: [unit], reply: "o", timeoutMicroseconds: 10_000_000) else {
                throw BusFailure(call: "LoadUnit", errno: EBADMSG)
            }
            return try bus.stringProperty(path: path, interface: SystemBus.unitInterface, name: "LoadState")
        } catch {
            throw Self.classify(error, unit: unit)
        }
    }

    /// The unit's `ActiveState`, or nil when systemd has not loaded it (a stopped unit may be unloaded).
    private func activeState(of unit: String, on bus: SystemBus, before deadline: Date) throws -> String? {
        let path: String
        do {
            guard let found = try bus.callSystemd("GetUnit", strings: [unit], reply: "o", timeoutMicroseconds: remaining(until: deadline)) else { return nil }
            path = found
        } catch let failure as BusFailure where failure.isNoSuchUnit {
            return nil
        }
        return try bus.stringProperty(path: path, interface: SystemBus.unitInterface, name: "ActiveState")
    }

    /// Processes the bus until `job`'s `JobRemoved` came, or the deadline passed.
    private func wait(for job: String, jobs: FinishedJobs, on bus: SystemBus, unit: String, until deadline: Date) throws -> String {
        while true {
            if let result = jobs.results[job] { return result }
            if try bus.process() { continue }
            if let result = jobs.results[job] { return result }
            let left = remaining(until: deadline)
            guard left > 0 else {
                throw UnitRestartError(.timedOut, unit: unit, "the restart of \(unit) did not finish within restart_timeout; "
                    + "see `systemctl status \(unit)`, or raise restart_timeout if it starts slowly")
            }
            try bus.wait(microseconds: min(left, 1_000_000))
        }
    }

    private func remaining(until deadline: Date) -> UInt64 {
        let seconds = deadline.timeIntervalSince(clock.now)
        return seconds > 0 ? UInt64(seconds * 1_000_000) : 0
    }

    static func isActive(_ state: String) -> Bool { state == "active" || state == "reloading" }

    static func isRunning(_ state: String) -> Bool { isActive(state) || state == "activating" || state == "deactivating" }

    static func classify(_ failure: BusFailure, unit: String) -> UnitRestartError {
        if failure.isAccessDenied {
            return UnitRestartError(.accessDenied, unit: unit, "systemd refused to restart \(unit) (\(failure)); install the rule "
                + "`keyrotd polkit-rule` prints in /etc/polkit-1/rules.d/ and check with `keyrotd check`", cause: failure)
        }
        if failure.isNoSuchUnit {
            return UnitRestartError(.noSuchUnit, unit: unit, "systemd has no unit \(unit) (\(failure)); fix restart_units", cause: failure)
        }
        return UnitRestartError(.callFailed, unit: unit, "restarting \(unit) failed: \(failure)", cause: failure)
    }
}
