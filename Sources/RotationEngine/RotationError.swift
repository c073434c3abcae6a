/// Why a rotation refused, failed, rolled back or stopped. Never holds a secret.
public struct RotationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, Codable {
        /// The files hold different key ids (or no pair, or different secrets).
        case filesDisagree
        /// The files' key is not a key of the user, or it is Inactive.
        case keyNotUsable
        /// A second Active key that no file uses; `delete_unknown_active_keys` is off.
        case unknownActiveKey
        /// IAM denied an action (see `keyrotd policy`).
        case accessDenied
        /// AWS could not be reached.
        case unreachable
        /// An IAM call failed otherwise.
        case iamFailed
        /// The new key did not pass its checks within `propagation_timeout`.
        case propagationTimeout
        /// Reading, backing up, writing or restoring a file failed, or a file changed underneath.
        case fileFailed
        /// `verify_command` failed.
        case verifyFailed
        /// A unit of `restart_units` could not be restarted, or did not become active again.
        case restartFailed
        /// The state record could not be loaded or saved.
        case stateStore
        /// The state record has a version this build does not read.
        case unsupportedRecord
        /// IAM and the files contradict the record in a way the engine will not guess about.
        case inconsistent
    }

    public let code: Code
    public let message: String
    /// The error underneath (a port's), when there is one. Not part of equality.
    public let cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message }

    public static func == (lhs: RotationError, rhs: RotationError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
    }

    /// An IAM port failure of `operation` (e.g. "DeleteAccessKey AKIA…"), keeping access-denied
    /// and unreachable apart. The port's message already says what to do.
    static func iam(_ operation: String, _ error: RotationPortError) -> RotationError {
        switch error.code {
        case .accessDenied: RotationError(.accessDenied, "\(operation) was denied: \(error.message)", cause: error)
        case .unreachable: RotationError(.unreachable, "\(operation) could not reach AWS: \(error.message)", cause: error)
        case .noSuchEntity, .failed: RotationError(.iamFailed, "\(operation) failed: \(error.message)", cause: error)
        }
    }

    /// A file port failure of `operation` ("backing up", "rewriting", ...).
    static func file(_ operation: String, _ path: String, _ error: RotationPortError) -> RotationError {
        RotationError(.fileFailed, "\(operation) \(path) failed: \(error.message)", cause: error)
    }
}
