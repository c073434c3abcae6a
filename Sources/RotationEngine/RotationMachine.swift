import Foundation
import KeyrotCore

/// The rotation as a pure state machine: `start` and `handle` take the current time and the
/// result of the previous action, update the durable record and return the next action plus the
/// events to report. It performs no I/O; `RotationDriver` runs it against the ports.
///
/// Every phase change is emitted as a `.save` action before the step it announces runs, so a
/// machine rebuilt from the last saved record after a crash reconciles (`start`) and carries on.
public struct RotationMachine: Sendable {
    public let policy: RotationPolicy
    /// The durable record as the machine sees it: what was loaded, plus the changes that the next
    /// `.save` action will make durable.
    public internal(set) var record: RotationRecord
    let request: RotationRequest
    var stage: Stage = .notStarted
    var snapshots: [String: CredentialFileSnapshot] = [:]
    var events: [RotationEvent] = []
    var retriesThisRun = 0

    public init(policy: RotationPolicy, record: RotationRecord?, request: RotationRequest) {
        self.policy = policy
        self.record = record ?? RotationRecord(user: policy.user)
        self.request = request
    }

    /// True while a stop request must not be honoured: from sending CreateAccessKey until the new
    /// secret is saved (or the unsaved key deleted).
    public var isInCriticalSection: Bool {
        switch stage {
        case .creatingKey, .saving(.keySaved), .deletingUnsavedKey: true
        default: false
        }
    }

    /// The first step of a run: read the files, then reconcile whatever the record says.
    public mutating func start(at now: Date) -> RotationStep {
        if record.phase != .idle, record.user != policy.user {
            return finish(.failed(RotationError(.inconsistent, "the state directory holds a rotation of user \(record.user), but the configuration names \(policy.user); finish it with the old configuration or remove the state file")))
        }
        let recordedFiles = record.files.map(\.path)
        if [.writing, .verifying, .rollingBack].contains(record.phase), Set(recordedFiles) != Set(policy.files) {
            return finish(.failed(RotationError(.inconsistent, "the configured files changed while a rotation was writing them (recorded: \(recordedFiles.joined(separator: ", "))); put the previous `files:` back until the rotation has finished")))
        }
        record.user = policy.user
        if record.phase != .idle { emit(.resumed(phase: record.phase)) }
        return readAllFiles(.recovery)
    }

    /// The next step after `result`, the answer to the previous action.
    public mutating func handle(_ result: ActionResult, at now: Date) -> RotationStep {
        switch stage {
        case .notStarted, .finished:
            return finish(.failed(RotationError(.inconsistent, "the rotation machine got a result while no action was pending")))
        case .readingFiles(let purpose):
            return filesRead(result, purpose: purpose, at: now)
        case .listingKeys(let purpose):
            return keysListed(result, purpose: purpose, at: now)
        case .saving(let next):
            return saved(result, then: next, at: now)
        case .deletingSecondKeys(let remaining, let keyAge):
            return secondKeyDeleted(result, remaining: remaining, keyAge: keyAge, at: now)
        case .creatingKey:
            return keyCreated(result, at: now)
        case .deletingUnsavedKey(let error):
            if case .done = result { emit(.keyDeleted(record.newKeyID ?? AccessKeyID("?"), reason: .orphan)) }
            return finish(.failed(error))
        case .deletingOrphans(let remaining, let error):
            return orphanDeleted(result, remaining: remaining, error: error, at: now)
        case .checkingIdentity(let progress):
            return identityChecked(result, progress: progress, at: now)
        case .waitingToCheck(let progress):
            return checkIdentity(progress)
        case .backingUp(let index, let backups):
            return backedUp(result, index: index, backups: backups, at: now)
        case .rewriting(let index):
            return rewritten(result, index: index, at: now)
        case .verifying:
            return verified(result, at: now)
        case .waitingForOverlap:
            return lookUpLastUse()
        case .lookingUpLastUse:
            return lastUseLookedUp(result)
        case .deactivating:
            return deactivated(result, at: now)
        case .waitingForGrace:
            return deleteOldKey()
        case .deletingOldKey:
            return oldKeyDeleted(result, at: now)
        case .restoring(let index, let readError):
            return restored(result, index: index, readError: readError, at: now)
        case .deletingNewKey:
            return newKeyDeleted(result, at: now)
        case .removingBackups(let index, let then):
            if case .failed(let error) = result {
                emit(.warning("could not remove the backup \(record.files[index].backup?.location ?? "?"): \(error.message); remove it by hand"))
            }
            return removeBackups(from: index + 1, then: then, at: now)
        case .waitingToRetry:
            return readAllFiles(.recovery)
        }
    }

    // MARK: Helpers shared by the phase extensions

    mutating func emit(_ event: RotationEvent) {
        events.append(event)
    }

    mutating func step(_ action: RotationAction) -> RotationStep {
        defer { events = [] }
        return RotationStep(events: events, action: action)
    }

    mutating func finish(_ outcome: RotationOutcome) -> RotationStep {
        stage = .finished
        return step(.finish(outcome))
    }

    mutating func save(then next: AfterSave) -> RotationStep {
        stage = .saving(next)
        return step(.save(record))
    }

    mutating func readAllFiles(_ purpose: FileReadPurpose) -> RotationStep {
        stage = .readingFiles(purpose)
        return step(.readFiles(policy.files))
    }

    /// Records a failed step and either sleeps until the retry (then reconciles again) or, after
    /// `retriesPerRun` failures in this run, ends the run with `.deferred`.
    mutating func scheduleRetry(_ error: RotationError, at now: Date) -> RotationStep {
        record.attempts += 1
        retriesThisRun += 1
        record.nextAttemptAt = now.addingTimeInterval(policy.retryDelay(afterAttempts: record.attempts))
        record.lastError = RecordedError(code: error.code.rawValue, message: error.message, at: now)
        return save(then: .retryRecorded(error))
    }

    func saveFailure(_ error: RotationPortError) -> RotationError {
        RotationError(.stateStore, "saving the rotation record failed: \(error.message); check the state directory (space, permissions)")
    }
}
