import Foundation
import KeyrotCore

/// One run of the rotation saga (README, "What happens in a rotation"): a function per phase,
/// each reading top to bottom and calling the next. A phase saves the record with its new phase
/// before the step it announces, so that after a kill anywhere `readAndReconcile` resumes from the
/// saved phase. Port calls go through the driver (`RotationRun+Ports.swift`).
final class RotationRun {
    let driver: RotationDriver
    let policy: RotationPolicy
    let request: RotationRequest
    /// The durable record as this run sees it: what was loaded, plus changes the next save makes durable.
    var record: RotationRecord
    /// What each configured file held at the last `readFiles`, by path.
    var contents: [String: CredentialFileContents] = [:]
    /// Files the last `readFiles` could not read, with why.
    var unreadable: [String: RotationPortError] = [:]
    /// From sending CreateAccessKey until the new secret is saved: a stop request waits.
    var inCriticalSection = false
    var retriesThisRun = 0

    init(driver: RotationDriver, record: RotationRecord?, request: RotationRequest) {
        self.driver = driver
        policy = driver.policy
        self.request = request
        self.record = record ?? RotationRecord(user: driver.policy.user)
    }

    var now: Date { driver.clock.now }

    /// The run starts: the record is this configuration's.
    func begin() {
        record.user = policy.user
        if record.phase != .idle { emit(.resumed(phase: record.phase)) }
    }

    /// A record of another user, or of other files while they were being written, is not guessed about.
    func configurationMismatch() -> RotationError? {
        if record.phase != .idle, record.user != policy.user {
            return RotationError(.inconsistent, "the state directory holds a rotation of user \(record.user), but the configuration names \(policy.user); finish it with the old configuration or remove the state file")
        }
        let recordedFiles = record.files.map(\.path)
        if [.writing, .verifying, .rollingBack].contains(record.phase), Set(recordedFiles) != Set(policy.files) {
            return RotationError(.inconsistent, "the configured files changed while a rotation was writing them (recorded: \(recordedFiles.joined(separator: ", "))); put the previous `files:` back until the rotation has finished")
        }
        return nil
    }

    /// Records a failed step, then waits until its retry (the caller starts over from the record),
    /// or, after `retriesPerRun` failures in this run, ends the run with `.deferred`.
    func scheduleRetry(_ error: RotationError) async -> RotationOutcome? {
        record.attempts += 1
        retriesThisRun += 1
        let retryAt = now.addingTimeInterval(policy.retryDelay(afterAttempts: record.attempts))
        record.nextAttemptAt = retryAt
        record.lastError = RecordedError(error, at: now)
        do {
            try await save()
            emit(.retryScheduled(phase: record.phase, at: retryAt, error))
            if retriesThisRun >= policy.retriesPerRun { return .deferred(phase: record.phase, retryAt: retryAt, error) }
            try await driver.sleep(until: retryAt, phase: record.phase)
            return nil
        } catch RunEnd.outcome(let outcome) {
            return outcome
        } catch {
            return .interrupted(phase: record.phase, nil)
        }
    }

    // MARK: Helpers shared by the phases

    func emit(_ event: RotationEvent) {
        driver.events.record(event)
    }

    /// Waits until `end` of the overlap or the grace (or the scheduled retry, when later),
    /// announcing it with `status` (which gets the time, stamped); nothing when it has passed. A
    /// run that does not wait for retirement ends here instead: the record holds the phase.
    func waitForRetirement(until end: Date, status: (String) -> String) async throws {
        let until = max(end, record.nextAttemptAt ?? end)
        guard now < until else { return }
        if !policy.waitsForRetirement {
            guard let oldKeyID = record.oldKeyID, let newKeyID = record.newKeyID else { throw RunEnd.outcome(brokenRecord()) }
            throw RunEnd.outcome(.retirementPending(phase: record.phase, oldKeyID: oldKeyID, newKeyID: newKeyID, resumesAt: until))
        }
        emit(.progress(phase: record.phase, message: status(MinuteStamp.text(until))))
        try await driver.sleep(until: until, phase: record.phase)
    }

    /// Which key ids each configured file holds, from the last read.
    func holdings() -> [FileKeyHolding] {
        policy.holdings(in: contents)
    }

    /// A record whose phase lacks the fields that phase needs: nothing safe can be done automatically.
    func brokenRecord() -> RotationOutcome {
        .failed(RotationError(.inconsistent, "the state record is in phase \(record.phase) but lacks its key data; inspect it with `keyrotd status` and repair by hand"))
    }
}
