import Foundation
import KeyrotCore

// Steps 3 and 4 of the README: propagation, then the switch of every file, the restarts of the
// `restart_units` (RotationRun+Restart.swift) and the verify command.
// A failure in any of them rolls back.
extension RotationRun {
    /// 3. Propagation: `propagation_checks` consecutive successful `GetCallerIdentity` calls with
    /// the new key, with backoff, within `propagation_timeout` (IAM is eventually consistent).
    func propagate() async throws -> RotationOutcome {
        guard let new = record.newCredentials else { return brokenRecord() }
        let deadline = now.addingTimeInterval(policy.propagationTimeout)
        var passed = 0
        var failures = 0
        var lastFailure: String?
        while true {
            emit(.progress(phase: .created, message: "rotating: waiting for the new key to work (check \(passed + 1) of \(policy.requiredConsecutiveChecks))"))
            var failure: String?
            do {
                let identity = try await callerIdentity(as: new)
                if !identity.isUser(policy.user) { failure = "the key belongs to \(identity.arn), not to user \(policy.user)" }
            } catch let error as RotationPortError {
                failure = error.message
            }
            let delay: TimeInterval
            if let failure {
                lastFailure = failure
                passed = 0
                failures += 1
                delay = policy.checkDelay(afterFailures: failures)
            } else {
                passed += 1
                if passed >= policy.requiredConsecutiveChecks { return try await backUpAndSwitch() }
                delay = policy.initialCheckDelay
            }
            let next = now.addingTimeInterval(delay)
            if next > deadline {
                return try await rollBack(RotationError(.propagationTimeout, "the new key \(new.accessKeyID) did not pass \(policy.requiredConsecutiveChecks) consecutive checks before propagation_timeout (\(Int(policy.propagationTimeout)) s) ran out: the next check would have come after it (last failure: \(lastFailure ?? "none")); raise propagation_timeout if IAM is slow here"))
            }
            try await driver.sleep(until: next, phase: record.phase)
        }
    }

    /// 4. Switch: each file is backed up (0600, in the state directory); the backups are saved
    /// in the record with phase `writing` before the first file is written.
    private func backUpAndSwitch() async throws -> RotationOutcome {
        var backups: [FileBackupReference] = []
        for path in policy.files {
            do {
                backups.append(try await backUp(path))
            } catch let error as RotationPortError {
                return try await rollBack(.file("backing up", path, error))
            }
        }
        record.enter(.writing)
        record.files = zip(policy.files, backups).map { FileProgress(path: $0, backup: $1) }
        emit(.progress(phase: .writing, message: "rotating: writing the new key into \(policy.files.count) file(s)"))
        try await save()
        return try await writeFiles()
    }

    /// Rewrites each file not written yet (compare-and-swap against the version last read: a
    /// file edited meanwhile is never overwritten; the rewrite reads it back), saving after each.
    func writeFiles() async throws -> RotationOutcome {
        guard let old = record.oldCredentials, let new = record.newCredentials else { return brokenRecord() }
        for index in record.files.indices where !record.files[index].written {
            let path = record.files[index].path
            guard let version = contents[path]?.version else {
                return try await rollBack(RotationError(.fileFailed, "\(path) could not be read during the switch"))
            }
            do {
                try await rewrite(path, expected: version, replacing: old, with: new)
            } catch let error as RotationPortError {
                return try await rollBack(.file("rewriting", path, error))
            }
            record.files[index].written = true
            try await save()
        }
        record.enter(.verifying)
        try await save()
        return try await restartConsumers()
    }

    /// 4, last: `verify_command`, if any; then the switch is recorded (phase `overlapping`).
    func verify() async throws -> RotationOutcome {
        if policy.hasVerifyCommand {
            emit(.progress(phase: .verifying, message: "rotating: running the verify command"))
            do {
                try await runVerifier()
            } catch let error as RotationPortError {
                return try await rollBack(RotationError(.verifyFailed, "the verify command failed: \(error.message)", cause: error))
            }
        }
        record.enter(.overlapping)
        record.switchedAt = now
        try await save()
        if let id = record.newKeyID { emit(.filesSwitched(newKeyID: id, files: policy.files)) }
        return try await overlap()
    }
}
