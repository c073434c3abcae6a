import Foundation
import KeyrotTestSupport
import Testing

/// `keyrotd check` and `keyrotd policy` on a real setup, and a bad configuration, through the real binary.
@Suite("keyrotd check, policy and configuration errors", .enabled(if: Repository.shouldRunIntegration, Comment(rawValue: Repository.skipReason)), .serialized)
struct ConfigurationCommandTests {
    @Test("a bad configuration exits 78 and names the line", arguments: [
        (line: 2, text: "max_age: ninety days"),
        (line: 2, text: "rotate_every: 90d"),
        (line: 2, text: "max_age: 9223372036854775807s"),
    ])
    func badConfiguration(line: Int, text: String) async throws {
        try await RotationSite.with { site in
            var lines = try String(contentsOfFile: site.configPath, encoding: .utf8).components(separatedBy: "\n")
            lines[line - 1] = text
            try lines.joined(separator: "\n").write(toFile: site.configPath, atomically: true, encoding: .utf8)
            for command in ["check", "rotate", "status", "policy"] {
                let result = try await site.keyrotd(command)
                #expect(result.status == 78, "\(result)")
                #expect(result.stderr.contains("\(site.configPath):\(line):"), "\(result)")
                SecretLeaks.expectNone(in: result, secrets: [site.moto.secretAccessKey])
            }
        }
    }

    @Test("check on a good setup exits 0, prints each key's age and the next rotation")
    func checkGoodSetup() async throws {
        try await RotationSite.with { site in
            let result = try await site.keyrotd("check")
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.contains("key \(site.moto.accessKeyID): Active, 0 days old"), "\(result)")
            #expect(result.stdout.contains("next rotation: "), "\(result)")
            SecretLeaks.expectNone(in: result, secrets: [site.moto.secretAccessKey])
        }
    }

    @Test("policy --account prints the rotation policy on the configured user")
    func policyWithAccount() async throws {
        try await RotationSite.with { site in
            let result = try await site.keyrotd("policy", "--account", "210987654321")
            #expect(result.status == 0, "\(result)")
            try Self.expectRotationPolicy(result.stdout, on: "arn:aws:iam::210987654321:user/\(site.moto.user)")
            SecretLeaks.expectNone(in: result, secrets: [site.moto.secretAccessKey])
        }
    }

    @Test("policy without --account asks STS for the account with the files' key")
    func policyLooksUpAccount() async throws {
        try await RotationSite.with { site in
            let result = try await site.keyrotd("policy")
            #expect(result.status == 0, "\(result)")
            try Self.expectRotationPolicy(result.stdout, on: "arn:aws:iam::\(site.moto.account):user/\(site.moto.user)")
            SecretLeaks.expectNone(in: result, secrets: [site.moto.secretAccessKey])
        }
    }

    /// The printed document is JSON allowing exactly the five access-key actions on `userARN`.
    static func expectRotationPolicy(_ text: String, on userARN: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                                    "policy printed no JSON object: \(text)", sourceLocation: sourceLocation)
        let statements = try #require(document["Statement"] as? [[String: Any]], sourceLocation: sourceLocation)
        #expect(statements.count == 1, sourceLocation: sourceLocation)
        let statement = try #require(statements.first, sourceLocation: sourceLocation)
        #expect(statement["Effect"] as? String == "Allow", sourceLocation: sourceLocation)
        #expect(statement["Resource"] as? String == userARN, sourceLocation: sourceLocation)
        #expect(Set(statement["Action"] as? [String] ?? []) == [
            "iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:UpdateAccessKey", "iam:ListAccessKeys", "iam:GetAccessKeyLastUsed",
        ], sourceLocation: sourceLocation)
    }
}
