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
