import Foundation
import KeyrotCore

// Steps 1 and 2 of the README: preflight, then the recorded intent and CreateAccessKey.
extension RotationRun {
    /// 1. Preflight: every file holds the same key; `ListAccessKeys`; an Inactive second key is
    /// deleted, an Active one in no file refused (unless `delete_unknown_active_keys`).
    func preflight() async throws -> RotationOutcome {
        let old: Credentials
        switch policy.agreedCredentials(in: contents) {
        case .failure(let error):
            emit(.filesOutOfSync(holdings()))
            return .refused(error)
        case .success(let pair):
            old = pair
        }
        let keys: [AccessKeyMetadata]
        do {
            keys = try await listKeys(as: old)
        } catch let error as RotationPortError {
            return .failed(.iam("ListAccessKeys", error))
        }
        let current: AccessKeyMetadata
        switch policy.currentKey(old.accessKeyID, in: keys) {
        case .failure(let error): return .refused(error)
        case .success(let key): current = key
        }
        let nextDue = policy.nextDueDate(keyCreatedAt: current.createdAt)
        guard case .rotate(let force) = request, force || now >= nextDue else { return .idle(nextDue: nextDue) }
        // A file that cannot be replaced keeping its attributes would fail every attempt: refuse
        // before a key is created rather than create and delete one each time.
        if let problem = policy.unknownActiveKeyProblem(besides: old.accessKeyID, in: keys) ?? policy.writeProblem(in: contents) {
            return .refused(problem)
        }
        for other in keys where other.keyID != old.accessKeyID {
            do {
                try await deleteKey(other.keyID, as: old)
            } catch let error as RotationPortError {
                return .failed(.iam("DeleteAccessKey \(other.keyID)", error))
            }
            emit(.keyDeleted(other.keyID, reason: other.status == .active ? .unknownActiveKey : .inactiveSecondKey))
        }
        return try await create(replacing: old, keyAge: now.timeIntervalSince(current.createdAt))
    }

    /// 2. Create: the intent is saved, then `CreateAccessKey`; the new id and secret are saved
    /// before anything else. CreateAccessKey is never sent twice for one intent.
    private func create(replacing old: Credentials, keyAge: TimeInterval) async throws -> RotationOutcome {
        record.enter(.creating)
        record.oldKeyID = old.accessKeyID
        record.oldSecret = PersistedSecret(old.secretAccessKey)
        record.intentAt = now
        record.files = policy.files.map { FileProgress(path: $0) }
        record.lastError = nil
        emit(.rotationStarted(oldKeyID: old.accessKeyID, keyAge: keyAge))
        emit(.progress(phase: .creating, message: "rotating: creating a new access key"))
        try await save()

        inCriticalSection = true
        let new: Credentials
        do {
            new = try await createKey(as: old)
        } catch let error as RotationPortError {
            inCriticalSection = false
            // Whether or not IAM made a key, listing tells.
            return try await resolveCreate(failure: .iam("CreateAccessKey", error))
        }
        record.enter(.created)
        record.newKeyID = new.accessKeyID
        record.newSecret = PersistedSecret(new.secretAccessKey)
        record.createdAt = now
        do {
            try await trySave()
        } catch let error as RotationPortError {
            // The secret exists nowhere durable: the key is deleted at once, the intent stays.
            if (try? await deleteKey(new.accessKeyID, as: old)) != nil { emit(.keyDeleted(new.accessKeyID, reason: .orphan)) }
            return .failed(saveFailure(error))
        }
        inCriticalSection = false
        emit(.keyCreated(new.accessKeyID))
        return try await propagate()
    }

    /// After a failed or interrupted CreateAccessKey: keys created since the recorded intent (less
    /// the clock slack), other than the old key and held by no file, are ours without a saved
    /// secret. They are deleted, and the record goes back to idle.
    func resolveCreate(failure: RotationError?) async throws -> RotationOutcome {
        guard let old = record.oldCredentials else { return brokenRecord() }
        let keys = try await listKeysOrRetry(as: old)
        let held = Set(contents.values.flatMap { $0.pairs.map(\.accessKeyID) })
        let since = (record.intentAt ?? now).addingTimeInterval(-policy.clockSlack)
        for orphan in keys where orphan.keyID != record.oldKeyID && !held.contains(orphan.keyID) && orphan.createdAt >= since {
            do {
                try await deleteKey(orphan.keyID, as: old)
            } catch let error as RotationPortError {
                throw RunEnd.retry(.iam("DeleteAccessKey \(orphan.keyID) (a key created for an interrupted rotation)", error))
            }
            emit(.keyDeleted(orphan.keyID, reason: .orphan))
        }
        if let failure { emit(.rotationFailed(phase: .creating, failure)) }
        record.resetToIdle()
        record.lastError = failure.map { RecordedError($0, at: now) } ?? record.lastError
        try await save()
        if let failure { return .failed(failure) }
        return try await readAndReconcile()
    }
}
