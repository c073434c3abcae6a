import Foundation
import KeyrotCore

// Undoing a rotation that failed in steps 2 to 4 (README): the files that hold the new key are
// restored from their backups, the units restarted on the new key are restarted again, then the
// new key is deleted with the old credentials.
extension RotationRun {
    /// Records the failure and the phase `rolling_back`, reads where the files are, and undoes.
    func rollBack(_ error: RotationError) async throws -> RotationOutcome {
        emit(.rotationFailed(phase: record.phase, error))
        emit(.progress(phase: .rollingBack, message: "rolling back: \(error.message)"))
        record.enter(.rollingBack)
        record.lastError = RecordedError(error, at: now)
        try await save()
        _ = try await readFiles()
        return try await undo()
    }

    /// Phase `rolling_back`, with `contents` freshly read. Files restored, then (after reading
    /// them once more, as the delete cannot be undone) the restarted units restarted on the old
    /// key, the new key deleted, then settled.
    func undo() async throws -> RotationOutcome {
        guard let old = record.oldCredentials else { return brokenRecord() }
        if try await restoreFiles(), let newKeyID = record.newKeyID {
            if let failure = try await readFiles(), failure.code != .noSuchEntity {
                throw RunEnd.retry(RotationError(.fileFailed, "reading the credential files after restoring them failed: \(failure.message)", cause: failure))
            }
            if let stray = policy.files.first(where: { contents[$0]?.holds(newKeyID) == true }) {
                throw RunEnd.retry(RotationError(.fileFailed, "\(stray) still holds the new key after restoring its backup"))
            }
        }
        try await restartConsumersOnOldKey()
        if let newKeyID = record.newKeyID {
            try await deleteNewKey(newKeyID, signedWith: old)
            emit(.keyDeleted(newKeyID, reason: .rolledBack))
        }
        let error = record.lastError?.error ?? RotationError(.inconsistent, "rolled back after an interruption")
        return try await settle(.rolledBack(error))
    }

    /// Restores each backed-up file that holds the new key, or could not be read. A file removed
    /// meanwhile is not recreated; one that holds neither key of this rotation (another rotation
    /// overtook this one) is left as it is. True when a file was restored.
    private func restoreFiles() async throws -> Bool {
        var restored = false
        for file in record.files {
            guard let backup = file.backup else { continue }
            let removed = "rolling back: \(file.path) was removed during the rotation; not recreated"
            if unreadable[file.path]?.code == .noSuchEntity {
                emit(.progress(phase: .rollingBack, message: removed))
                continue
            }
            let holdsNewKey = record.newKeyID.map { contents[file.path]?.holds($0) == true } ?? false
            guard holdsNewKey || unreadable[file.path] != nil else { continue }
            do {
                try await restore(file.path, from: backup)
                restored = true
            } catch let error as RotationPortError where error.code == .noSuchEntity {
                emit(.progress(phase: .rollingBack, message: removed))
            } catch let error as RotationPortError {
                throw RunEnd.retry(.file("restoring", file.path, error))
            }
        }
        return restored
    }

    /// Deletes the new key with the old credentials. When that fails and the files agree on a
    /// third key (a concurrent rotation overtook this one, and may have deleted both of its
    /// keys), the delete is signed with that key instead: a key already gone counts as deleted.
    private func deleteNewKey(_ id: AccessKeyID, signedWith old: Credentials) async throws {
        do {
            try await deleteKey(id, as: old)
        } catch let error as RotationPortError {
            let failure = RotationError.iam("DeleteAccessKey \(id) (rollback)", error)
            guard case .success(let current) = policy.agreedCredentials(in: contents),
                  current.accessKeyID != old.accessKeyID, current.accessKeyID != id else { throw RunEnd.retry(failure) }
            do {
                try await deleteKey(id, as: current)
            } catch is RotationPortError {
                throw RunEnd.retry(failure)
            }
        }
    }
}
