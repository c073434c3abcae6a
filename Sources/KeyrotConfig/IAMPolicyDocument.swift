import FoundationEssentials
import KeyrotCore

/// An IAM identity policy document, as printed by `keyrotd policy` and pasted into the IAM console.
public struct IAMPolicyDocument: Sendable, Hashable, Codable {
    public struct Statement: Sendable, Hashable, Codable {
        public var sid: String
        public var effect: String
        public var action: [String]
        public var resource: String

        enum CodingKeys: String, CodingKey {
            case sid = "Sid", effect = "Effect", action = "Action", resource = "Resource"
        }
    }

    /// The policy language version; `2012-10-17` is the current one.
    public var version: String
    public var statement: [Statement]

    enum CodingKeys: String, CodingKey {
        case version = "Version", statement = "Statement"
    }

    /// The IAM actions keyrotd calls on its own user, and nothing else.
    public static let rotationActions = [
        "iam:CreateAccessKey",
        "iam:DeleteAccessKey",
        "iam:GetAccessKeyLastUsed",
        "iam:ListAccessKeys",
        "iam:UpdateAccessKey",
    ]

    /// The least privilege keyrotd needs: the access-key actions on `user` only.
    /// (`sts:GetCallerIdentity` needs no permission.) `account` is the 12-digit AWS account id.
    public static func forRotation(user: String, partition: AWSPartition, account: String) -> IAMPolicyDocument {
        IAMPolicyDocument(version: "2012-10-17", statement: [
            Statement(
                sid: "KeyrotdRotatesItsOwnAccessKeys",
                effect: "Allow",
                action: rotationActions,
                resource: userARN(user: user, partition: partition, account: account)
            ),
        ])
    }

    /// `arn:<partition>:iam::<account>:user/<user>` for a user at the default path `/`.
    public static func userARN(user: String, partition: AWSPartition, account: String) -> String {
        "arn:\(partition.rawValue):iam::\(account):user/\(user)"
    }

    /// True for a 12-digit AWS account id.
    public static func isAccountID(_ text: String) -> Bool {
        text.count == 12 && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Pretty-printed JSON with keys in a stable (sorted) order, ending in a newline.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding strings and arrays of strings cannot fail.
        let data = try! encoder.encode(self)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
