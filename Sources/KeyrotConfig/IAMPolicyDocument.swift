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

    /// What a fleet host calls on the shared secret (creating it is `keyrotd fleet init`'s, an operator's act).
    public static let fleetSecretActions = [
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:UpdateSecretVersionStage",
    ]

    /// What a fleet host calls on the lock table (creating it is `keyrotd fleet init`'s).
    /// `ConditionCheckItem` is what AWS authorizes for the condition on the lease item inside a
    /// `TransactWriteItems` (a member registering to apply, the leader dropping a member).
    public static let fleetTableActions = [
        "dynamodb:ConditionCheckItem",
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
    ]

    /// The least privilege keyrotd needs: the access-key actions on `user` only
    /// (`sts:GetCallerIdentity` needs no permission), and with `fleet`, the fleet host's actions on
    /// that secret and that table in `region`. `account` is the 12-digit AWS account id.
    public static func forRotation(user: String, partition: AWSPartition, account: String,
                                   fleet: FleetSettings? = nil, region: String = KeyrotConfiguration.Defaults.region) -> IAMPolicyDocument {
        var statements = [
            Statement(
                sid: "KeyrotdRotatesItsOwnAccessKeys",
                effect: "Allow",
                action: rotationActions,
                resource: userARN(user: user, partition: partition, account: account)
            ),
        ]
        if let fleet {
            statements.append(Statement(sid: "KeyrotdFleetSharesTheKeyThroughItsSecret", effect: "Allow", action: fleetSecretActions,
                                        resource: secretARN(fleet.secretID, partition: partition, region: region, account: account)))
            statements.append(Statement(sid: "KeyrotdFleetLeaseTable", effect: "Allow", action: fleetTableActions,
                                        resource: "arn:\(partition.rawValue):dynamodb:\(region):\(account):table/\(fleet.lockTable)"))
        }
        return IAMPolicyDocument(version: "2012-10-17", statement: statements)
    }

    /// The secret's ARN as given, or the ARN pattern of secret `name`: Secrets Manager appends a
    /// dash and six random characters to the name in the ARN.
    public static func secretARN(_ secretID: String, partition: AWSPartition, region: String, account: String) -> String {
        if secretID.hasPrefix("arn:") { return secretID }
        return "arn:\(partition.rawValue):secretsmanager:\(region):\(account):secret:\(secretID)-??????"
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
