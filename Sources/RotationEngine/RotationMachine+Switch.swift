import Foundation
import KeyrotCore

// Propagation checks, backups, rewriting every file, read-back and the verify command.
extension RotationMachine {
    mutating func beginPropagation(at now: Date) -> RotationStep {
        checkIdentity(CheckProgress(passed: 0, failures: 0, deadline: now.addingTimeInterval(policy.propagationTimeout)))
    }

    mutating func checkIdentity(_ progress: CheckProgress) -> RotationStep {
        guard let new = record.newCredentials else { return abandonBrokenRecord() }
        emit(.progress(phase: .created, message: "rotating: waiting for the new key to work (check \(progress.passed + 1) of \(policy.requiredConsecutiveChecks))"))
        stage = .checkingIdentity(progress)
        return step(.checkIdentity(signedWith: new))
    }

    mutating func identityChecked(_ result: ActionResult, progress: CheckProgress, at now: Date) -> RotationStep {
        var progress = progress
        let delay: TimeInterval
        switch result {
        case .identity(let identity) where identity.isUser(policy.user):
            progress.passed += 1
            if progress.passed >= policy.requiredConsecutiveChecks { return backUp(index: 0, backups: []) }
            delay = policy.initialCheckDelay
        default:
            progress.lastFailure = {
                if case .identity(let identity) = result { return "the key belongs to \(identity.arn), not to user \(policy.user)" }
                return portError(result).message
            }()
            progress.passed = 0
            progress.failures += 1
            delay = min(policy.maximumCheckDelay, policy.initialCheckDelay * pow(2, Double(progress.failures - 1)))
        }
        let next = now.addingTimeInterval(delay)
        if next > progress.deadline {
            let seconds = Int(policy.propagationTimeout)
            return beginRollback(RotationError(.propagationTimeout, "the new key \(record.newKeyID?.rawValue ?? "?") did not pass \(policy.requiredConsecutiveChecks) consecutive checks before propagation_timeout (\(seconds) s) ran out: the next check would have come after it (last failure: \(progress.lastFailure ?? "none")); raise propagation_timeout if IAM is slow here"), at: now)
        }
        stage = .waitingToCheck(progress)
        return step(.sleep(until: next))
    }

    mutating func backUp(index: Int, backups: [FileBackupReference]) -> RotationStep {
        guard index < policy.files.count else {
            record.enter(.writing)
            record.files = zip(policy.files, backups).map { FileProgress(path: $0, backup: $1) }
            emit(.progress(phase: .writing, message: "rotating: writing the new key into \(policy.files.count) file(s)"))
            return save(then: .backupsRecorded)
        }
        stage = .backingUp(index: index, backups: backups)
        return step(.backUpFile(path: policy.files[index]))
    }

    mutating func backedUp(_ result: ActionResult, index: Int, backups: [FileBackupReference], at now: Date) -> RotationStep {
        guard case .backup(let reference) = result else {
            return beginRollback(RotationError.file("backing up", policy.files[index], portError(result)), at: now)
        }
        return backUp(index: index + 1, backups: backups + [reference])
    }

    /// Every file holds the old pair (to write) or the new pair (done); anything else rolls back.
    mutating func continueSwitch(at now: Date) -> RotationStep {
        guard let old = record.oldCredentials, let new = record.newCredentials else { return abandonBrokenRecord() }
        for index in record.files.indices {
            let path = record.files[index].path
            guard let snapshot = snapshots[path] else {
                return beginRollback(RotationError(.fileFailed, "\(path) could not be read during the switch"), at: now)
            }
            if snapshot.holdsOnly(new) {
                record.files[index].written = true
            } else if snapshot.holdsOnly(old) {
                record.files[index].written = false
            } else {
                emit(.filesOutOfSync(holdings()))
                return beginRollback(RotationError(.fileFailed, "\(path) holds neither the old nor the new key during the switch; it was changed by someone else"), at: now)
            }
        }
        return rewrite(from: 0, at: now)
    }

    mutating func rewrite(from start: Int, at now: Date) -> RotationStep {
        guard let old = record.oldCredentials, let new = record.newCredentials else { return abandonBrokenRecord() }
        guard let index = record.files.indices.first(where: { $0 >= start && !record.files[$0].written }) else {
            return readAllFiles(.readBack)
        }
        let path = record.files[index].path
        guard let version = snapshots[path]?.version else {
            return beginRollback(RotationError(.fileFailed, "\(path) could not be read during the switch"), at: now)
        }
        stage = .rewriting(index: index)
        return step(.rewriteFile(path: path, expected: version, old: old, new: new))
    }

    mutating func rewritten(_ result: ActionResult, index: Int, at now: Date) -> RotationStep {
        if case .failed(let error) = result {
            return beginRollback(RotationError.file("rewriting", record.files[index].path, error), at: now)
        }
        record.files[index].written = true
        return save(then: .fileWritten(index: index))
    }

    mutating func checkReadBack(readError: RotationError?, at now: Date) -> RotationStep {
        if let readError { return beginRollback(readError, at: now) }
        guard let new = record.newCredentials else { return abandonBrokenRecord() }
        if let stray = policy.files.first(where: { snapshots[$0]?.holdsOnly(new) != true }) {
            return beginRollback(RotationError(.fileFailed, "\(stray) does not hold the new pair when read back after writing"), at: now)
        }
        record.enter(.verifying)
        return save(then: .verifyingRecorded)
    }

    mutating func verified(_ result: ActionResult, at now: Date) -> RotationStep {
        if case .failed(let error) = result {
            return beginRollback(RotationError(.verifyFailed, "the verify command failed: \(error.message)"), at: now)
        }
        return switchDone(at: now)
    }

    mutating func switchDone(at now: Date) -> RotationStep {
        record.enter(.overlapping)
        record.switchedAt = now
        return save(then: .switched)
    }
}
