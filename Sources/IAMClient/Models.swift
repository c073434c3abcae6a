import Foundation
import KeyrotCore

/// The status IAM reports for an access key.
public enum AccessKeyStatus: String, Sendable, Hashable, Codable {
    case active = "Active"
    case inactive = "Inactive"
    case expired = "Expired"
}

/// One entry of `ListAccessKeys`.
public struct AccessKeyMetadata: Sendable, Hashable {
    public let id: AccessKeyID
    public let status: AccessKeyStatus
    public let createDate: Date
    public let userName: String

    public init(id: AccessKeyID, status: AccessKeyStatus, createDate: Date, userName: String) {
        self.id = id
        self.status = status
        self.createDate = createDate
        self.userName = userName
    }
}

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

/// `GetAccessKeyLastUsed`: `lastUsedDate` is nil and service/region are `N/A` for a never-used key.
public struct AccessKeyLastUsed: Sendable, Hashable {
    public let lastUsedDate: Date?
    public let serviceName: String
    public let region: String

    public init(lastUsedDate: Date?, serviceName: String, region: String) {
        self.lastUsedDate = lastUsedDate
        self.serviceName = serviceName
        self.region = region
    }
}

/// `GetUser`.
public struct IAMUser: Sendable, Hashable {
    public let userName: String
    public let userID: String
    public let arn: String
    public let createDate: Date

    public init(userName: String, userID: String, arn: String, createDate: Date) {
        self.userName = userName
        self.userID = userID
        self.arn = arn
        self.createDate = createDate
    }
}

/// STS `GetCallerIdentity`.
public struct CallerIdentity: Sendable, Hashable {
    public let account: String
    public let arn: String
    public let userID: String

    public init(account: String, arn: String, userID: String) {
        self.account = account
        self.arn = arn
        self.userID = userID
    }
}
