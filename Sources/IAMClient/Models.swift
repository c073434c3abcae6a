import FoundationEssentials
import KeyrotCore

/// The result of `CreateAccessKey`: the only moment IAM reveals the secret.
public struct CreatedAccessKey: Sendable, Hashable, CustomStringConvertible {
    public let credentials: Credentials
    public let createDate: Date?
    public let status: AccessKeyStatus
    public let userName: String

    public init(credentials: Credentials, createDate: Date?, status: AccessKeyStatus, userName: String) {
        self.credentials = credentials
        self.createDate = createDate
        self.status = status
        self.userName = userName
    }

    public var description: String { "CreatedAccessKey(\(credentials.accessKeyID), user: \(userName), secret: <redacted>)" }
}
