/// A port failure, classified as far as the coordination needs it. The message names the call and
/// says what to do; `cause` keeps the underlying error. Never decided on by its text.
public struct FleetPortError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// A conditional write or transaction was refused: for a leader, it was deposed.
        case conditionFailed
        /// The key, version, item or file does not exist (a delete of it is done).
        case noSuchEntity
        /// The signing key does not authenticate (deleted, Inactive, not yet propagated).
        case invalidCredentials
        /// IAM refused a third access key.
        case limitExceeded
        /// This host's membership item is marked dropped: it must `keyrotd fleet join` again.
        case dropped
        /// AWS could not be reached, or the answer was lost.
        case unreachable
        /// Anything else (a failed switch of the local files included).
        case failed
    }

    public let code: Code
    public let message: String
    public let cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message }
}
