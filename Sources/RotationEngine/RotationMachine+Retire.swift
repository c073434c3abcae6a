import Foundation
import KeyrotCore

// After the switch: overlap, last use, deactivation, grace, deletion. Failures here are retried.
extension RotationMachine {
    mutating func retirementKeysListed(_ keys: [AccessKeyMetadata], at now: Date) -> RotationStep {
        guard let newKeyID = record.newKeyID, let oldKeyID = record.oldKeyID else { return abandonBrokenRecord() }
        guard keys.contains(where: { $0.keyID == newKeyID }) else {
            let error = RotationError(.inconsistent, "the files hold \(newKeyID), but IAM no longer lists it; the old key \(oldKeyID) is left as it is. Repair the files by hand")
            emit(.rotationFailed(phase: record.phase, error))
            return finish(.failed(error))
        }
        guard let old = keys.first(where: { $0.keyID == oldKeyID }) else {
            emit(.keyDeleted(oldKeyID, reason: .retired))
            return removeBackups(from: 0, then: .completed, at: now)
        }
        if record.phase == .overlapping, old.status != .active {
            record.enter(.deactivated)
            record.deactivatedAt = now
            return save(then: .deactivated)
        }
        return record.phase == .overlapping ? waitForOverlap(at: now) : waitForGrace(at: now)
    }

    /// Deadlines count from the recorded times, and never before a scheduled retry.
    func deadline(from start: Date?, plus interval: TimeInterval, at now: Date) -> Date {
        let phaseEnd = (start ?? now).addingTimeInterval(interval)
        return max(phaseEnd, record.nextAttemptAt ?? phaseEnd)
    }

    mutating func waitForOverlap(at now: Date) -> RotationStep {
        let until = deadline(from: record.switchedAt, plus: policy.overlap, at: now)
        guard now < until else { return lookUpLastUse() }
        emit(.progress(phase: .overlapping, message: "overlap: old key \(record.oldKeyID?.abbreviated ?? "?") stays active until \(RotationEvent.stamp(until))"))
        stage = .waitingForOverlap
        return step(.sleep(until: until))
    }

    mutating func lookUpLastUse() -> RotationStep {
        guard let oldKeyID = record.oldKeyID, let new = record.newCredentials else { return abandonBrokenRecord() }
        stage = .lookingUpLastUse
        return step(.lookUpLastUse(oldKeyID, signedWith: new))
    }

    mutating func lastUseLookedUp(_ result: ActionResult) -> RotationStep {
        guard let oldKeyID = record.oldKeyID, let new = record.newCredentials else { return abandonBrokenRecord() }
        switch result {
        case .lastUse(let use):
            if let date = use.date, let switchedAt = record.switchedAt, date > switchedAt {
                emit(.oldKeyStillInUse(oldKeyID, use))
            } else {
                emit(.keyLastUsed(oldKeyID, use))
            }
        default:
            emit(.warning("could not look up when \(oldKeyID) was last used: \(portError(result).message)"))
        }
        stage = .deactivating
        return step(.deactivateKey(oldKeyID, signedWith: new))
    }

    mutating func deactivated(_ result: ActionResult, at now: Date) -> RotationStep {
        if case .failed(let error) = result, error.code != .noSuchEntity {
            return scheduleRetry(RotationError.iam("UpdateAccessKey \(record.oldKeyID?.rawValue ?? "?") to Inactive", error), at: now)
        }
        record.enter(.deactivated)
        record.deactivatedAt = now
        return save(then: .deactivated)
    }

    mutating func waitForGrace(at now: Date) -> RotationStep {
        let until = deadline(from: record.deactivatedAt, plus: policy.grace, at: now)
        guard now < until else { return deleteOldKey() }
        emit(.progress(phase: .deactivated, message: "grace: old key \(record.oldKeyID?.abbreviated ?? "?") is inactive until \(RotationEvent.stamp(until)), then deleted"))
        stage = .waitingForGrace
        return step(.sleep(until: until))
    }

    mutating func deleteOldKey() -> RotationStep {
        guard let oldKeyID = record.oldKeyID, let new = record.newCredentials else { return abandonBrokenRecord() }
        stage = .deletingOldKey
        return step(.deleteKey(oldKeyID, signedWith: new))
    }

    mutating func oldKeyDeleted(_ result: ActionResult, at now: Date) -> RotationStep {
        guard let oldKeyID = record.oldKeyID else { return abandonBrokenRecord() }
        if case .failed(let error) = result, error.code != .noSuchEntity {
            return scheduleRetry(RotationError.iam("DeleteAccessKey \(oldKeyID)", error), at: now)
        }
        emit(.keyDeleted(oldKeyID, reason: .retired))
        return removeBackups(from: 0, then: .completed, at: now)
    }

    /// Removes the backups still recorded, then ends the rotation (completed or rolled back).
    mutating func removeBackups(from start: Int, then completion: Completion, at now: Date) -> RotationStep {
        if let index = record.files.indices.first(where: { $0 >= start && record.files[$0].backup != nil }),
           let backup = record.files[index].backup {
            stage = .removingBackups(index: index, then: completion)
            return step(.removeBackup(backup))
        }
        let oldKeyID = record.oldKeyID
        let newKeyID = record.newKeyID
        record.resetToIdle()
        switch completion {
        case .completed:
            guard let oldKeyID, let newKeyID else { return abandonBrokenRecord() }
            record.currentKeyID = newKeyID
            record.lastCompletedAt = now
            record.lastError = nil
            return save(then: .completed(old: oldKeyID, new: newKeyID))
        case .rolledBack(let error):
            record.currentKeyID = oldKeyID
            return save(then: .rolledBack(newKeyID: newKeyID, error))
        }
    }
}
