/// A complete access key pair, optionally with a session token (temporary credentials).
public struct Credentials: Sendable, Hashable, CustomStringConvertible {
    public let accessKeyID: AccessKeyID
    public let secretAccessKey: Secret
    public let sessionToken: Secret?

    public init(accessKeyID: AccessKeyID, secretAccessKey: Secret, sessionToken: Secret? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    public var description: String { "Credentials(\(accessKeyID), secret: <redacted>)" }
}
