import Foundation
import KeyrotCore

// Undoing a rotation that failed before the switch: restore every backed-up file, check that
// no file holds the new key, delete the new key with the old credentials.
extension RotationMachine {
    mutating func beginRollback(_ error: RotationError, at now: Date) -> RotationStep {
        emit(.rotationFailed(phase: record.phase, error))
        emit(.progress(phase: .rollingBack, message: "rolling back: \(error.message)"))
        record.enter(.rollingBack)
        record.lastError = RecordedError(code: error.code.rawValue, message: error.message, at: now)
        return save(then: .rollbackRecorded)
    }

    var rollbackError: RotationError {
        guard let last = record.lastError else { return RotationError(.inconsistent, "rolled back after an interruption") }
        return RotationError(RotationError.Code(rawValue: last.code) ?? .inconsistent, last.message)
    }

    /// Restores, from its backup, each file that does not hold exactly the old pair (every
    /// backed-up file when the files could not be read).
    mutating func restore(from start: Int, readError: RotationError?, at now: Date) -> RotationStep {
        guard let old = record.oldCredentials else { return abandonBrokenRecord() }
        let pending = record.files.indices.first { index in
            index >= start && record.files[index].backup != nil
                && (readError != nil || snapshots[record.files[index].path]?.holdsOnly(old) != true)
        }
        guard let index = pending, let backup = record.files[index].backup else {
            return record.files.contains(where: { $0.backup != nil }) ? readAllFiles(.afterRestore) : deleteNewKey(at: now)
        }
        stage = .restoring(index: index, readError: readError)
        return step(.restoreFile(path: record.files[index].path, backup: backup))
    }

    mutating func restored(_ result: ActionResult, index: Int, readError: RotationError?, at now: Date) -> RotationStep {
        if case .failed(let error) = result, error.code == .noSuchEntity {
            // Removed by someone during the rotation: it holds no key, so there is nothing to undo.
            emit(.progress(phase: .rollingBack, message: "rolling back: \(record.files[index].path) was removed during the rotation; not recreated"))
        } else if case .failed(let error) = result {
            return scheduleRetry(RotationError.file("restoring", record.files[index].path, error), at: now)
        }
        return restore(from: index + 1, readError: readError, at: now)
    }

    mutating func checkRestored(readError: RotationError?, at now: Date) -> RotationStep {
        if let readError { return scheduleRetry(readError, at: now) }
        if let newKeyID = record.newKeyID,
           let stray = policy.files.first(where: { snapshots[$0]?.pairs.contains { $0.accessKeyID == newKeyID } == true }) {
            return scheduleRetry(RotationError(.fileFailed, "\(stray) still holds the new key after restoring its backup"), at: now)
        }
        return deleteNewKey(at: now)
    }

    mutating func deleteNewKey(at now: Date) -> RotationStep {
        guard let newKeyID = record.newKeyID, let old = record.oldCredentials else {
            return removeBackups(from: 0, then: .rolledBack(rollbackError), at: now)
        }
        stage = .deletingNewKey
        return step(.deleteKey(newKeyID, signedWith: old))
    }

    mutating func newKeyDeleted(_ result: ActionResult, at now: Date) -> RotationStep {
        if case .failed(let error) = result, error.code != .noSuchEntity {
            return scheduleRetry(RotationError.iam("DeleteAccessKey \(record.newKeyID?.rawValue ?? "?") (rollback)", error), at: now)
        }
        if let id = record.newKeyID { emit(.keyDeleted(id, reason: .rolledBack)) }
        return removeBackups(from: 0, then: .rolledBack(rollbackError), at: now)
    }
}
