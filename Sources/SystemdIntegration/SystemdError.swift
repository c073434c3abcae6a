/// A failure of a libsystemd call: which call, its errno, and what to do.
public struct SystemdError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The positive errno reported by libsystemd.
    public let code: Int32
    public let message: String

    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) (errno \(code))" }
}
