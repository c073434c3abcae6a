import Foundation
import KeyrotCore

/// A secret as `DescribeSecret` shows it: which version holds which stages.
public struct SecretDescription: Sendable, Hashable {
    public let arn: String
    public let name: String
    /// VersionId → its stages (`AWSCURRENT`, `AWSPENDING`, `AWSPREVIOUS`, ...).
    public let versionStages: [String: [String]]

    public init(arn: String, name: String, versionStages: [String: [String]]) {
        self.arn = arn
        self.name = name
        self.versionStages = versionStages
    }

    /// The version holding `stage`, if any.
    public func version(holding stage: String) -> String? {
        versionStages.filter { $0.value.contains(stage) }.keys.sorted().first
    }
}

/// One version's value: the key pair. Its description never shows the secret.
public struct SecretVersion: Sendable, Hashable, CustomStringConvertible {
    public let versionID: String
    public let stages: [String]
    public let credentials: Credentials

    public init(versionID: String, stages: [String], credentials: Credentials) {
        self.versionID = versionID
        self.stages = stages
        self.credentials = credentials
    }

    public var description: String {
        "SecretVersion(\(versionID), stages: \(stages.joined(separator: ",")), key: \(credentials.accessKeyID), secret: <redacted>)"
    }
}

/// A secret as `CreateSecret` made it.
public struct CreatedSecret: Sendable, Hashable {
    public let arn: String
    public let name: String
    public let versionID: String?
}
