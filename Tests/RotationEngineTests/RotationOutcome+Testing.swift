import RotationEngine

extension RotationOutcome {
    var isCompleted: Bool {
        if case .completed = self { return true }
        return false
    }

    /// The error of a refused, failed or rolled-back outcome.
    var error: RotationError? {
        switch self {
        case .refused(let error), .failed(let error), .rolledBack(let error), .deferred(_, _, let error): error
        case .interrupted(_, let error): error
        case .completed, .idle, .retirementPending: nil
        }
    }

    var errorCode: RotationError.Code? { error?.code }

    var isRolledBack: Bool {
        if case .rolledBack = self { return true }
        return false
    }
}
