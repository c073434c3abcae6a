/// STS `GetCallerIdentity`: whom a key belongs to.
public struct CallerIdentity: Sendable, Hashable {
    public let account: String
    public let arn: String
    public let userID: String

    public init(account: String, arn: String, userID: String) {
        self.account = account
        self.arn = arn
        self.userID = userID
    }

    /// Whether the ARN names the IAM user `user` (under any path).
    public func isUser(_ user: String) -> Bool {
        arn.contains(":user/") && (arn.hasSuffix(":user/\(user)") || arn.hasSuffix("/\(user)"))
    }
}
