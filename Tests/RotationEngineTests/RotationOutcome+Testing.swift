import RotationEngine

extension RotationOutcome {
    var isCompleted: Bool {
        if case .completed = self { return true }
        return false
    }

    /// The error code of a refused, failed or rolled-back outcome.
    var errorCode: RotationError.Code? {
        switch self {
        case .refused(let error), .failed(let error), .rolledBack(let error), .deferred(_, _, let error): error.code
        case .interrupted(_, let error): error?.code
        case .completed, .idle: nil
        }
    }

    var isRolledBack: Bool {
        if case .rolledBack = self { return true }
        return false
    }
}
