import Foundation
import KeyrotCore

// Reading the files and listing the keys, then deciding from the recorded phase what comes next.
extension RotationMachine {
    mutating func filesRead(_ result: ActionResult, purpose: FileReadPurpose, at now: Date) -> RotationStep {
        var readError: RotationError?
        switch result {
        case .files(let list):
            snapshots = Dictionary(list.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        case .failed(let error):
            snapshots = [:]
            readError = RotationError(.fileFailed, "reading the credential files failed: \(error.message)")
        default:
            readError = RotationError(.inconsistent, "unexpected answer to reading the files")
        }
        switch purpose {
        case .recovery: return reconcile(readError: readError, at: now)
        case .readBack: return checkReadBack(readError: readError, at: now)
        case .beforeRestore: return restore(from: 0, readError: readError, at: now)
        case .afterRestore:
            // A file removed during the rotation cannot hold the new key; every other file was
            // restored from its verified backup or held only the old pair.
            if case .failed(let error) = result, error.code == .noSuchEntity { return checkRestored(readError: nil, at: now) }
            return checkRestored(readError: readError, at: now)
        }
    }

    /// The table of rotation-protocol.md: what a (re)start decides per recorded phase.
    mutating func reconcile(readError: RotationError?, at now: Date) -> RotationStep {
        switch record.phase {
        case .idle:
            if let readError { return finish(.refused(readError)) }
            return preflight(at: now)
        case .creating:
            guard let old = record.oldCredentials else { return abandonBrokenRecord() }
            stage = .listingKeys(.resolveCreate(nil))
            return step(.listKeys(signedWith: old))
        case .created:
            guard let old = record.oldCredentials else { return abandonBrokenRecord() }
            stage = .listingKeys(.recoverCreated)
            return step(.listKeys(signedWith: old))
        case .writing, .verifying:
            if let readError { return beginRollback(readError, at: now) }
            return continueSwitch(at: now)
        case .rollingBack:
            return restore(from: 0, readError: readError, at: now)
        case .overlapping, .deactivated:
            if let readError { return scheduleRetry(readError, at: now) }
            guard let new = record.newCredentials else { return abandonBrokenRecord() }
            let strays = policy.files.filter { snapshots[$0]?.holdsOnly(new) != true }
            if !strays.isEmpty {
                emit(.filesOutOfSync(holdings()))
                return finish(.failed(RotationError(.filesDisagree, "\(strays.joined(separator: ", ")) no longer hold the new key \(new.accessKeyID); the old key stays as it is until every file holds the new one again")))
            }
            stage = .listingKeys(.recoverRetirement)
            return step(.listKeys(signedWith: new))
        }
    }

    mutating func keysListed(_ result: ActionResult, purpose: KeyListPurpose, at now: Date) -> RotationStep {
        guard case .keys(let keys) = result else {
            let error = RotationError.iam("ListAccessKeys", portError(result))
            switch purpose {
            case .preflight: return finish(.failed(error))
            case .resolveCreate, .recoverCreated, .recoverRetirement: return scheduleRetry(error, at: now)
            }
        }
        switch purpose {
        case .preflight(let old): return preflightKeysListed(keys, old: old, at: now)
        case .resolveCreate(let error): return resolveCreate(keys, error: error, at: now)
        case .recoverCreated:
            guard let newKeyID = record.newKeyID, keys.contains(where: { $0.keyID == newKeyID }) else {
                let error = RotationError(.inconsistent, "the new key \(record.newKeyID?.rawValue ?? "?") is gone from IAM before the files were written; the files still hold the old key and nothing else was changed")
                emit(.rotationFailed(phase: .created, error))
                record.resetToIdle()
                record.lastError = RecordedError(code: error.code.rawValue, message: error.message, at: now)
                return save(then: .idleAfterVanishedKey(error))
            }
            return beginPropagation(at: now)
        case .recoverRetirement:
            return retirementKeysListed(keys, at: now)
        }
    }

    mutating func saved(_ result: ActionResult, then next: AfterSave, at now: Date) -> RotationStep {
        if case .failed(let error) = result {
            let failure = saveFailure(error)
            if next == .keySaved, let old = record.oldCredentials, let newKeyID = record.newKeyID {
                stage = .deletingUnsavedKey(failure)
                return step(.deleteKey(newKeyID, signedWith: old))
            }
            return finish(.interrupted(phase: record.phase, failure))
        }
        switch next {
        case .intentRecorded:
            guard let old = record.oldCredentials else { return abandonBrokenRecord() }
            stage = .creatingKey
            return step(.createKey(signedWith: old))
        case .keySaved:
            if let id = record.newKeyID { emit(.keyCreated(id)) }
            return beginPropagation(at: now)
        case .backupsRecorded:
            return continueSwitch(at: now)
        case .fileWritten(let index):
            return rewrite(from: index + 1, at: now)
        case .verifyingRecorded:
            guard policy.hasVerifyCommand else { return switchDone(at: now) }
            emit(.progress(phase: .verifying, message: "rotating: running the verify command"))
            stage = .verifying
            return step(.runVerifier)
        case .switched:
            if let id = record.newKeyID { emit(.filesSwitched(newKeyID: id, files: policy.files)) }
            return waitForOverlap(at: now)
        case .rollbackRecorded:
            return readAllFiles(.beforeRestore)
        case .deactivated:
            if let id = record.oldKeyID { emit(.keyDeactivated(id)) }
            return waitForGrace(at: now)
        case .idleAfterCreateResolved(let error):
            if let error { return finish(.failed(error)) }
            return readAllFiles(.recovery)
        case .idleAfterVanishedKey(let error):
            return finish(.failed(error))
        case .completed(let old, let new):
            emit(.rotationCompleted(oldKeyID: old, newKeyID: new))
            return finish(.completed(oldKeyID: old, newKeyID: new))
        case .rolledBack(let newKeyID, let error):
            emit(.rolledBack(newKeyID: newKeyID, error))
            return finish(.rolledBack(error))
        case .retryRecorded(let error):
            let retryAt = record.nextAttemptAt ?? now
            emit(.retryScheduled(phase: record.phase, at: retryAt, error))
            if retriesThisRun >= policy.retriesPerRun {
                return finish(.deferred(phase: record.phase, retryAt: retryAt, error))
            }
            stage = .waitingToRetry
            return step(.sleep(until: retryAt))
        }
    }

    /// Which key ids each configured file holds, from the last read.
    func holdings() -> [FileKeyHolding] {
        policy.holdings(in: snapshots)
    }

    func portError(_ result: ActionResult) -> RotationPortError {
        if case .failed(let error) = result { return error }
        return RotationPortError(.failed, "unexpected answer")
    }

    /// A record whose phase lacks the fields that phase needs: nothing safe can be done automatically.
    mutating func abandonBrokenRecord() -> RotationStep {
        finish(.failed(RotationError(.inconsistent, "the state record is in phase \(record.phase) but lacks its key data; inspect it with `keyrotd status` and repair by hand")))
    }
}
