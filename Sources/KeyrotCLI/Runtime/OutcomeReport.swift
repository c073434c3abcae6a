import FoundationEssentials
import KeyrotCore
import RotationEngine

/// Plain words for the end of a run.
enum OutcomeReport {
    static func text(_ outcome: RotationOutcome) -> String {
        switch outcome {
        case .completed(let old, let new):
            "rotation completed: every file holds \(new); \(old) is deleted"
        case .idle(let nextDue):
            "nothing to do: no rotation in flight" + (nextDue.map { "; the next rotation is due \(MinuteStamp.text($0)) (use --force to rotate now)" } ?? "")
        case .refused(let error):
            "rotation refused, nothing was changed: \(error.message)"
        case .failed(let error):
            "rotation failed: \(error.message)"
        case .rolledBack(let error):
            "rotation failed and was rolled back (files restored, new key deleted): \(error.message)"
        case .deferred(let phase, let retryAt, let error):
            "rotation not finished: \(phase) keeps failing (\(error.message)); run again after \(MinuteStamp.text(retryAt)), the state is kept"
        case .retirementPending(let phase, let old, let new, let resumesAt):
            retirementPending(phase: phase, old: old, new: new, resumesAt: resumesAt)
        case .interrupted(let phase, let error):
            "rotation stopped at a safe point in phase \(phase)" + (error.map { " (\($0.message))" } ?? "") + "; run again to resume"
        }
    }

    /// A rotation that switched and returned before the old key's retirement (`keyrotd rotate`
    /// without `--wait`): what happens to the old key, when, and who does it.
    private static func retirementPending(phase: RotationPhase, old: AccessKeyID, new: AccessKeyID, resumesAt: Date) -> String {
        let when = MinuteStamp.text(resumesAt)
        let next = phase == .deactivated
            ? "\(old) is inactive (a restore point) and is deleted after \(when)"
            : "\(old) stays active until \(when) for programs that still use it, then is deactivated and, after the grace, deleted"
        return "rotated: every file holds \(new) and it works; \(next). The daemon does this, or the next `keyrotd rotate` once it is due (`keyrotd rotate --wait` waits instead)"
    }
}
