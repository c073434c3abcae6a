import KeyrotCore

/// A credential pair found in a file, with the 1-based line of its access key id.
public struct LocatedCredentialPair: Sendable, Hashable, CustomStringConvertible {
    public let accessKeyID: AccessKeyID
    public let secretAccessKey: Secret
    public let line: Int

    public init(accessKeyID: AccessKeyID, secretAccessKey: Secret, line: Int) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.line = line
    }

    public var description: String { "\(accessKeyID) (secret: <redacted>) at line \(line)" }
}
