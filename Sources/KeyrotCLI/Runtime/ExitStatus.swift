import RotationEngine

/// keyrotd's exit statuses (sysexits.h where one fits).
enum ExitStatus {
    static let success: Int32 = 0
    /// The rotation failed and was rolled back, or was refused.
    static let failure: Int32 = 1
    /// AWS could not be reached, another keyrotd holds the state directory, or a step after the
    /// switch must be retried later: try again later (EX_TEMPFAIL).
    static let temporaryFailure: Int32 = 75
    /// The configuration is invalid (EX_CONFIG).
    static let configuration: Int32 = 78

    static func of(_ outcome: RotationOutcome) -> Int32 {
        switch outcome {
        case .completed, .idle, .retirementPending: success
        case .refused(let error), .failed(let error), .rolledBack(let error):
            error.code == .unreachable ? temporaryFailure : failure
        case .deferred, .interrupted: temporaryFailure
        }
    }
}
