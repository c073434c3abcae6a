import Foundation
import KeyrotConfig
import KeyrotCore
import Testing

@Suite("The least-privilege policy keyrotd prints")
struct IAMPolicyDocumentTests {
    @Test("allows exactly the five access-key actions on the user's own ARN", arguments: [
        (AWSPartition.aws, "arn:aws:iam::123456789012:user/snowplow-operator"),
        (.awsCN, "arn:aws-cn:iam::123456789012:user/snowplow-operator"),
        (.awsUSGov, "arn:aws-us-gov:iam::123456789012:user/snowplow-operator"),
    ])
    func document(partition: AWSPartition, arn: String) throws {
        let policy = IAMPolicyDocument.forRotation(user: "snowplow-operator", partition: partition,
                                                   account: "123456789012")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(policy.json().utf8)) as? [String: Any])
        #expect(json["Version"] as? String == "2012-10-17")
        let statements = try #require(json["Statement"] as? [[String: Any]])
        #expect(statements.count == 1)
        #expect(statements[0]["Effect"] as? String == "Allow")
        #expect(statements[0]["Resource"] as? String == arn)
        #expect(Set(statements[0]["Action"] as? [String] ?? []) == [
            "iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:UpdateAccessKey", "iam:ListAccessKeys",
            "iam:GetAccessKeyLastUsed",
        ])
    }

    @Test("with a fleet, adds the host's secret actions on the secret and its table actions on the table, nothing wider")
    func fleetStatements() throws {
        let fleet = FleetSettings(secretID: "keyrotd/snowplow-operator", lockTable: "keyrotd-fleet", hostID: "h")
        let policy = IAMPolicyDocument.forRotation(user: "snowplow-operator", partition: .aws, account: "123456789012",
                                                   fleet: fleet, region: "eu-west-1")
        #expect(policy.statement.count == 3)
        #expect(policy.statement[1].resource == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:keyrotd/snowplow-operator-??????")
        #expect(Set(policy.statement[1].action) == ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret",
                                                    "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"])
        #expect(policy.statement[2].resource == "arn:aws:dynamodb:eu-west-1:123456789012:table/keyrotd-fleet")
        #expect(Set(policy.statement[2].action) == ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                                                    "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"])
        #expect(policy.statement.allSatisfy { $0.effect == "Allow" && !$0.resource.hasSuffix(":*") && $0.resource != "*" })
        let byARN = FleetSettings(secretID: "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:k-AbCdEf", lockTable: "t-1", hostID: "h")
        #expect(IAMPolicyDocument.forRotation(user: "u", partition: .awsCN, account: "123456789012", fleet: byARN, region: "cn-north-1")
            .statement[1].resource == byARN.secretID)
        #expect(IAMPolicyDocument.forRotation(user: "u", partition: .aws, account: "123456789012").statement.count == 1, "no fleet, no fleet statements")
    }

    @Test("JSON is stable, readable, with unescaped slashes and a final newline")
    func rendering() {
        let json = IAMPolicyDocument.forRotation(user: "u", partition: .aws, account: "123456789012").json()
        #expect(json.contains("\"arn:aws:iam::123456789012:user/u\""))
        #expect(json.hasSuffix("}\n"))
        #expect(json == IAMPolicyDocument.forRotation(user: "u", partition: .aws, account: "123456789012").json())
    }

    @Test("account ids are 12 digits", arguments: [
        ("123456789012", true), ("12345678901", false), ("1234567890123", false), ("12345678901a", false), ("", false),
    ])
    func accountIDs(text: String, valid: Bool) {
        #expect(IAMPolicyDocument.isAccountID(text) == valid)
    }
}
