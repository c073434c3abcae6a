import Foundation

// Step 4, between the switch and the verify command: the services that read the key at start
// (`restart_units`) are restarted so that they run on the new key; a rollback restarts the same
// ones again once the files hold the old key, before the new key is deleted.
extension RotationRun {
    /// Phase `verifying`: each unit, in order, is recorded in `restartedUnits` before its
    /// try-restart (a stopped unit stays stopped, and is taken off the list: nothing of it runs
    /// the new key). After a kill, units recorded before the last one are done; the last one may
    /// have been cut off and is restarted again (a second restart only reads the same files again).
    func restartConsumers() async throws -> RotationOutcome {
        let units = policy.restartUnits
        let done = Set((record.restartedUnits ?? []).dropLast())
        for (index, unit) in units.enumerated() where !done.contains(unit) {
            // Recorded already: a kill cut its restart off, which may have left it down, and only a
            // running unit is ever left recorded. Started if so, not mistaken for a stopped one.
            let cutOff = record.restartedUnits?.last == unit
            if !cutOff {
                record.restartedUnits = (record.restartedUnits ?? []) + [unit]
                try await save()
            }
            emit(.restartingUnit(unit, position: index + 1, count: units.count, onOldKey: false))
            do {
                if try await restartUnit(unit, startIfStopped: cutOff) == .notRunning {
                    record.restartedUnits?.removeLast()
                    try await save()
                    emit(.progress(phase: .verifying, message: "\(unit) is not running; try-restart left it stopped"))
                }
            } catch let error as RotationPortError {
                if error.code == .accessDenied || error.code == .noSuchEntity {
                    // Refused before anything happened: it still runs the old key and needs no second restart.
                    record.restartedUnits?.removeLast()
                }
                emit(.unitRestartFailed(unit, error.message, onOldKey: false))
                return try await rollBack(RotationError(.restartFailed, "restarting \(unit) on the new key failed: \(error.message)", cause: error))
            }
        }
        return try await verify()
    }

    /// Rollback, with every file back on the old key: the units restarted on the new key, which
    /// were all running before, are restarted again, and started when the restart on the new key
    /// left them down (a consumer that failed to start on it). One whose restart fails again, or
    /// that no longer exists, runs no process holding the new key (warned about, not retried); one
    /// that could not be asked is retried, and the new key is kept until it has been.
    func restartConsumersOnOldKey() async throws {
        let units = record.restartedUnits ?? []
        for (index, unit) in units.enumerated() {
            emit(.restartingUnit(unit, position: index + 1, count: units.count, onOldKey: true))
            do {
                _ = try await restartUnit(unit, startIfStopped: true)
            } catch let error as RotationPortError where error.code == .failed || error.code == .noSuchEntity {
                emit(.unitRestartFailed(unit, error.message, onOldKey: true))
            } catch let error as RotationPortError {
                throw RunEnd.retry(RotationError(.restartFailed, "restarting \(unit) on the old key failed: \(error.message); the new key is kept until \(unit) runs on the old one", cause: error))
            }
        }
    }
}
