import FoundationEssentials
import RotationEngine

/// Plain words for the end of a run.
enum OutcomeReport {
    static func text(_ outcome: RotationOutcome) -> String {
        switch outcome {
        case .completed(let old, let new):
            "rotation completed: every file holds \(new); \(old) is deleted"
        case .idle(let nextDue):
            "nothing to do: no rotation in flight" + (nextDue.map { "; the next rotation is due \(RotationEvent.stamp($0)) (use --force to rotate now)" } ?? "")
        case .refused(let error):
            "rotation refused, nothing was changed: \(error.message)"
        case .failed(let error):
            "rotation failed: \(error.message)"
        case .rolledBack(let error):
            "rotation failed and was rolled back (files restored, new key deleted): \(error.message)"
        case .deferred(let phase, let retryAt, let error):
            "rotation not finished: \(phase) keeps failing (\(error.message)); run again after \(RotationEvent.stamp(retryAt)), the state is kept"
        case .interrupted(let phase, let error):
            "rotation stopped at a safe point in phase \(phase)" + (error.map { " (\($0.message))" } ?? "") + "; run again to resume"
        }
    }
}
