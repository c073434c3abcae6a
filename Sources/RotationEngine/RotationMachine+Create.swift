import Foundation
import KeyrotCore

// Preflight, the recorded intent, CreateAccessKey and the resolution of a failed or interrupted create.
extension RotationMachine {
    mutating func preflight(at now: Date) -> RotationStep {
        switch policy.agreedCredentials(in: snapshots) {
        case .failure(let error):
            emit(.filesOutOfSync(policy.holdings(in: snapshots)))
            return finish(.refused(error))
        case .success(let old):
            stage = .listingKeys(.preflight(old))
            return step(.listKeys(signedWith: old))
        }
    }

    mutating func preflightKeysListed(_ keys: [AccessKeyMetadata], old: Credentials, at now: Date) -> RotationStep {
        let current: AccessKeyMetadata
        switch policy.currentKey(old.accessKeyID, in: keys) {
        case .failure(let error): return finish(.refused(error))
        case .success(let key): current = key
        }
        let nextDue = policy.nextDueDate(keyCreatedAt: current.createdAt)
        switch request {
        case .resume:
            return finish(.idle(nextDue: nextDue))
        case .rotate(let force):
            if !force, now < nextDue { return finish(.idle(nextDue: nextDue)) }
        }
        if let problem = policy.unknownActiveKeyProblem(besides: old.accessKeyID, in: keys) ?? policy.writeProblem(in: snapshots) {
            return finish(.refused(problem))
        }
        let others = keys.filter { $0.keyID != old.accessKeyID }
        record.oldKeyID = old.accessKeyID
        record.oldSecret = PersistedSecret(old.secretAccessKey)
        return deleteSecondKeys(others, keyAge: now.timeIntervalSince(current.createdAt), at: now)
    }

    mutating func deleteSecondKeys(_ remaining: [AccessKeyMetadata], keyAge: TimeInterval?, at now: Date) -> RotationStep {
        guard let next = remaining.first, let old = record.oldCredentials else {
            return recordIntent(keyAge: keyAge, at: now)
        }
        stage = .deletingSecondKeys(remaining: remaining, keyAge: keyAge)
        return step(.deleteKey(next.keyID, signedWith: old))
    }

    mutating func secondKeyDeleted(_ result: ActionResult, remaining: [AccessKeyMetadata], keyAge: TimeInterval?, at now: Date) -> RotationStep {
        guard let key = remaining.first else { return recordIntent(keyAge: keyAge, at: now) }
        if case .failed(let error) = result, error.code != .noSuchEntity {
            return finish(.failed(RotationError.iam("DeleteAccessKey \(key.keyID)", error)))
        }
        emit(.keyDeleted(key.keyID, reason: key.status == .active ? .unknownActiveKey : .inactiveSecondKey))
        return deleteSecondKeys(Array(remaining.dropFirst()), keyAge: keyAge, at: now)
    }

    mutating func recordIntent(keyAge: TimeInterval?, at now: Date) -> RotationStep {
        guard let oldKeyID = record.oldKeyID else { return abandonBrokenRecord() }
        record.enter(.creating)
        record.intentAt = now
        record.files = policy.files.map { FileProgress(path: $0) }
        record.lastError = nil
        emit(.rotationStarted(oldKeyID: oldKeyID, keyAge: keyAge))
        emit(.progress(phase: .creating, message: "rotating: creating a new access key"))
        return save(then: .intentRecorded)
    }

    mutating func keyCreated(_ result: ActionResult, at now: Date) -> RotationStep {
        guard case .created(let new) = result else {
            let error = RotationError.iam("CreateAccessKey", portError(result))
            guard let old = record.oldCredentials else { return abandonBrokenRecord() }
            // Whether or not IAM made a key, listing tells: never send CreateAccessKey again for this intent.
            stage = .listingKeys(.resolveCreate(error))
            return step(.listKeys(signedWith: old))
        }
        record.enter(.created)
        record.newKeyID = new.accessKeyID
        record.newSecret = PersistedSecret(new.secretAccessKey)
        record.createdAt = now
        return save(then: .keySaved)
    }

    /// Keys created at or after the recorded intent (less the clock slack), other than the old
    /// key and held by no file, are ours without a saved secret: delete them and go back to idle.
    mutating func resolveCreate(_ keys: [AccessKeyMetadata], error: RotationError?, at now: Date) -> RotationStep {
        let held = Set(snapshots.values.flatMap { $0.pairs.map(\.accessKeyID) })
        let since = (record.intentAt ?? now).addingTimeInterval(-policy.clockSlack)
        let orphans = keys.filter { $0.keyID != record.oldKeyID && !held.contains($0.keyID) && $0.createdAt >= since }
        return deleteOrphans(orphans.map(\.keyID), error: error, at: now)
    }

    mutating func deleteOrphans(_ remaining: [AccessKeyID], error: RotationError?, at now: Date) -> RotationStep {
        guard let next = remaining.first else {
            if let error { emit(.rotationFailed(phase: .creating, error)) }
            record.resetToIdle()
            if let error { record.lastError = RecordedError(code: error.code.rawValue, message: error.message, at: now) }
            return save(then: .idleAfterCreateResolved(error))
        }
        guard let old = record.oldCredentials else { return abandonBrokenRecord() }
        stage = .deletingOrphans(remaining: remaining, error: error)
        return step(.deleteKey(next, signedWith: old))
    }

    mutating func orphanDeleted(_ result: ActionResult, remaining: [AccessKeyID], error: RotationError?, at now: Date) -> RotationStep {
        guard let id = remaining.first else { return deleteOrphans([], error: error, at: now) }
        if case .failed(let failure) = result, failure.code != .noSuchEntity {
            return scheduleRetry(RotationError.iam("DeleteAccessKey \(id) (a key created for an interrupted rotation)", failure), at: now)
        }
        emit(.keyDeleted(id, reason: .orphan))
        return deleteOrphans(Array(remaining.dropFirst()), error: error, at: now)
    }
}
