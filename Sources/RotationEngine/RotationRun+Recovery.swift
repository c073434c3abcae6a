import Foundation
import KeyrotCore

// The start of every run (and of every retry): what the record says, checked against what the
// files and IAM say now. The table, per saved phase, is in docs/rotation-protocol.md.
extension RotationRun {
    /// Reads the files, then resumes the phase the record was saved in. This read is the one a
    /// run needs to know where the files are; the other reads of a rotation are the backup's copy,
    /// the rewrite's compare-and-swap and read-back, and a rollback's (before restoring, and after
    /// it, before deleting the new key).
    func readAndReconcile() async throws -> RotationOutcome {
        let readFailure = try await readFiles()
        let readError = readFailure.map { RotationError(.fileFailed, "reading the credential files failed: \($0.message)", cause: $0) }
        switch record.phase {
        case .idle:
            if let readError { return .refused(readError) }
            return try await preflight()
        case .creating:
            return try await resolveCreate(failure: nil)
        case .created:
            return try await resumeCreated()
        case .writing, .verifying:
            if let readError { return try await rollBack(readError) }
            return try await continueSwitch()
        case .rollingBack:
            return try await undo()
        case .overlapping, .deactivated:
            if let readError { throw RunEnd.retry(readError) }
            return try await resumeRetirement()
        }
    }

    /// Saved `created`: the new secret is saved; its key must still exist to go on checking it.
    private func resumeCreated() async throws -> RotationOutcome {
        guard let old = record.oldCredentials else { return brokenRecord() }
        let keys = try await listKeysOrRetry(as: old)
        guard let newKeyID = record.newKeyID, keys.contains(where: { $0.keyID == newKeyID }) else {
            let error = RotationError(.inconsistent, "the new key \(record.newKeyID?.rawValue ?? "?") is gone from IAM before the files were written; the files still hold the old key and nothing else was changed")
            emit(.rotationFailed(phase: .created, error))
            record.resetToIdle()
            record.lastError = RecordedError(error, at: now)
            try await save()
            return .failed(error)
        }
        return try await propagate()
    }

    /// Saved `writing` or `verifying`: every file holds the old pair (still to write) or the new
    /// pair (written); anything else rolls back.
    private func continueSwitch() async throws -> RotationOutcome {
        guard let old = record.oldCredentials, let new = record.newCredentials else { return brokenRecord() }
        for index in record.files.indices {
            let path = record.files[index].path
            if contents[path]?.holdsOnly(new) == true {
                record.files[index].written = true
            } else if contents[path]?.holdsOnly(old) == true {
                record.files[index].written = false
            } else {
                emit(.filesOutOfSync(holdings()))
                return try await rollBack(RotationError(.fileFailed, "\(path) holds neither the old nor the new key during the switch; it was changed by someone else"))
            }
        }
        return try await writeFiles()
    }

    /// Saved `overlapping` or `deactivated`: every file must still hold the new key, and IAM
    /// tells how far the retirement of the old key got.
    private func resumeRetirement() async throws -> RotationOutcome {
        guard let new = record.newCredentials, let oldKeyID = record.oldKeyID else { return brokenRecord() }
        let strays = policy.files.filter { contents[$0]?.holdsOnly(new) != true }
        if !strays.isEmpty {
            emit(.filesOutOfSync(holdings()))
            return .failed(RotationError(.filesDisagree, "\(strays.joined(separator: ", ")) no longer hold the new key \(new.accessKeyID); the old key stays as it is until every file holds the new one again"))
        }
        let keys = try await listKeysOrRetry(as: new)
        guard keys.contains(where: { $0.keyID == new.accessKeyID }) else {
            let error = RotationError(.inconsistent, "the files hold \(new.accessKeyID), but IAM no longer lists it; the old key \(oldKeyID) is left as it is. Repair the files by hand")
            emit(.rotationFailed(phase: record.phase, error))
            return .failed(error)
        }
        guard let old = keys.first(where: { $0.keyID == oldKeyID }) else {
            emit(.keyDeleted(oldKeyID, reason: .retired))
            return try await settle(.completed)
        }
        if record.phase == .overlapping, old.status != .active {
            return try await enterGrace()
        }
        return record.phase == .overlapping ? try await overlap() : try await grace()
    }
}
