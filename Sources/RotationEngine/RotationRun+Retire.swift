import Foundation
import KeyrotCore

// Steps 5 and 6 of the README: overlap, deactivation, grace, deletion. A failure here is retried
// (`RunEnd.retry`) and never forgotten: the record keeps the phase.
extension RotationRun {
    /// 5. Overlap: the old key stays Active until `switchedAt + overlap`; then its last use is
    /// logged (a warning when it was used after the switch, which comes after the restarts of
    /// `restart_units`: every consumer keyrotd knows of then runs the new key) and it is set Inactive.
    func overlap() async throws -> RotationOutcome {
        guard let oldKeyID = record.oldKeyID, let new = record.newCredentials,
              let end = record.overlapEndsAt(overlap: policy.overlap) else { return brokenRecord() }
        try await waitForRetirement(until: end) { "overlap: old key \(oldKeyID.abbreviated) stays active until \($0)" }
        do {
            let use = try await lastUse(of: oldKeyID, as: new)
            if let date = use.date, let switchedAt = record.switchedAt, date > switchedAt {
                emit(.oldKeyStillInUse(oldKeyID, use, restartedUnits: record.restartedUnits ?? []))
            } else {
                emit(.keyLastUsed(oldKeyID, use))
            }
        } catch let error as RotationPortError {
            emit(.warning("could not look up when \(oldKeyID) was last used: \(error.message)"))
        }
        do {
            try await deactivateKey(oldKeyID, as: new)
        } catch let error as RotationPortError where error.code != .noSuchEntity {
            throw RunEnd.retry(.iam("UpdateAccessKey \(oldKeyID) to Inactive", error))
        }
        return try await enterGrace()
    }

    /// The old key is Inactive: recorded (phase `deactivated`), then the grace.
    func enterGrace() async throws -> RotationOutcome {
        record.enter(.deactivated)
        record.deactivatedAt = now
        try await save()
        if let id = record.oldKeyID { emit(.keyDeactivated(id)) }
        return try await grace()
    }

    /// 6. Grace: the old key stays Inactive until `deactivatedAt + grace` (a restore point), then
    /// it and the backups are deleted.
    func grace() async throws -> RotationOutcome {
        guard let oldKeyID = record.oldKeyID, let new = record.newCredentials,
              let end = record.graceEndsAt(grace: policy.grace) else { return brokenRecord() }
        try await waitForRetirement(until: end) { "grace: old key \(oldKeyID.abbreviated) is inactive until \($0), then deleted" }
        do {
            try await deleteKey(oldKeyID, as: new)
        } catch let error as RotationPortError {
            throw RunEnd.retry(.iam("DeleteAccessKey \(oldKeyID)", error))
        }
        emit(.keyDeleted(oldKeyID, reason: .retired))
        return try await settle(.completed)
    }

    enum Ending {
        case completed
        case rolledBack(RotationError)
    }

    /// The end of a rotation, completed or rolled back: the backups are removed (one that cannot
    /// be is left with a warning), and the record goes back to idle without a secret.
    func settle(_ ending: Ending) async throws -> RotationOutcome {
        for backup in record.files.compactMap(\.backup) {
            do {
                try await removeBackup(backup)
            } catch let error as RotationPortError {
                emit(.warning("could not remove the backup \(backup.location): \(error.message); remove it by hand"))
            }
        }
        let oldKeyID = record.oldKeyID
        let newKeyID = record.newKeyID
        let newKeyCreatedAt = record.createdAt
        let keyBefore = record.currentKeyID
        record.resetToIdle()
        switch ending {
        case .completed:
            guard let oldKeyID, let newKeyID else { return brokenRecord() }
            record.currentKeyID = newKeyID
            record.currentKeyCreatedAt = newKeyCreatedAt
            record.lastCompletedAt = now
            record.lastError = nil
            try await save()
            emit(.rotationCompleted(oldKeyID: oldKeyID, newKeyID: newKeyID))
            return .completed(oldKeyID: oldKeyID, newKeyID: newKeyID)
        case .rolledBack(let error):
            // The files' key: the old one, or another rotation's when one overtook this one.
            record.currentKeyID = (try? policy.agreedCredentials(in: contents).get())?.accessKeyID ?? oldKeyID
            if record.currentKeyID != keyBefore { record.currentKeyCreatedAt = nil }
            try await save()
            emit(.rolledBack(newKeyID: newKeyID, error))
            return .rolledBack(error)
        }
    }
}
