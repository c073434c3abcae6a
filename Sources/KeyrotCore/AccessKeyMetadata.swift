import FoundationEssentials

/// One entry of IAM `ListAccessKeys`: which keys a user has, their status and age.
public struct AccessKeyMetadata: Sendable, Hashable {
    public let keyID: AccessKeyID
    public let status: AccessKeyStatus
    public let createdAt: Date

    public init(keyID: AccessKeyID, status: AccessKeyStatus, createdAt: Date) {
        self.keyID = keyID
        self.status = status
        self.createdAt = createdAt
    }
}
