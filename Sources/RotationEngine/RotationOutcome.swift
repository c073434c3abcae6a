import Foundation
import KeyrotCore

/// What one run of the driver ended with.
public enum RotationOutcome: Sendable, Hashable {
    /// The old key is deleted; the files hold `newKeyID`.
    case completed(oldKeyID: AccessKeyID, newKeyID: AccessKeyID)
    /// Nothing in flight and nothing to do: the next rotation is due at `nextDue`.
    case idle(nextDue: Date?)
    /// Refused before any IAM write (files disagree, an unknown Active key, ...).
    case refused(RotationError)
    /// Failed before anything changed (e.g. CreateAccessKey denied), or nothing could be done.
    case failed(RotationError)
    /// Failed after the new key existed; everything was undone.
    case rolledBack(RotationError)
    /// A step after the switch (or of a rollback) keeps failing; the record keeps it for a later run.
    case deferred(phase: RotationPhase, retryAt: Date, RotationError)
    /// The files hold the new key and it works; the old key's retirement waits until `resumesAt`
    /// (the end of the overlap in phase `overlapping`, of the grace in phase `deactivated`), and
    /// this run was asked not to wait (`RotationPolicy.waitsForRetirement`): the next run does it.
    case retirementPending(phase: RotationPhase, oldKeyID: AccessKeyID, newKeyID: AccessKeyID, resumesAt: Date)
    /// The run stopped at a safe point (a stop request, or the state could not be saved);
    /// the next run resumes from the record.
    case interrupted(phase: RotationPhase, RotationError?)
}

/// What the caller asks a run to do.
public enum RotationRequest: Sendable, Hashable {
    /// Finish or undo whatever the record says is in flight; start nothing new.
    case resume
    /// Resume, then rotate when the key is due (or always, with `force`).
    case rotate(force: Bool)
}
