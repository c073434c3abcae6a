import CredentialFiles
import Foundation
import KeyrotConfig
import KeyrotCore
import Testing

@Suite("The annotated example etc/keyrotd/keyrotd.yml")
struct ExampleConfigurationTests {
    /// The repository root, found from this file's place in it (Tests/KeyrotConfigTests/).
    static let examplePath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("etc/keyrotd/keyrotd.yml").path

    @Test("loads with the values of the issue's example")
    func loadsTheExample() throws {
        let configuration = try KeyrotConfiguration.load(path: Self.examplePath, environment: [:], syntax: .credentialFiles)
        #expect(configuration.user == "snowplow-operator")
        #expect(configuration.maxAge == .seconds(90 * 86_400))
        #expect(configuration.checkInterval == .seconds(3_600))
        #expect(configuration.overlap == .seconds(3_600))
        #expect(configuration.grace == .seconds(86_400))
        #expect(configuration.propagationTimeout == .seconds(120))
        #expect(configuration.propagationChecks == 3)
        #expect(configuration.stateDirectory == "/var/lib/keyrotd")
        #expect(configuration.deleteUnknownActiveKeys == false)
        #expect(configuration.aws == KeyrotConfiguration.AWSSettings(region: "us-east-1", partition: .aws))
        #expect(configuration.verifyCommand == ["/usr/local/bin/check-pipeline", "--quick"])
        #expect(configuration.verifyTimeout == .seconds(300))
        #expect(configuration.files == [
            CredentialFileSpec(path: "/opt/snowplow/config/config.yml", format: .yaml),
            CredentialFileSpec(path: "/opt/snowplow/config/targets/dynamodb.json", format: .json),
            CredentialFileSpec(path: "/home/snowplow/.aws/credentials", format: .awsCredentials, profile: "snowplow"),
            CredentialFileSpec(path: "/etc/default/snowplow", format: .env,
                               accessKeyIDVariable: "AWS_SNOWPLOW_ACCESS_KEY",
                               secretAccessKeyVariable: "AWS_SNOWPLOW_SECRET_KEY"),
        ])
    }

    @Test("explains every key it sets in a comment")
    func commentsEveryKey() throws {
        let lines = try String(contentsOfFile: Self.examplePath, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            let trimmed = line.drop(while: { $0 == " " })
            guard !trimmed.hasPrefix("#"), !trimmed.hasPrefix("- "), !trimmed.isEmpty,
                  !line.hasPrefix("    "), !trimmed.hasPrefix("files:"), !trimmed.hasPrefix("aws:") else { continue }
            #expect(index > 0 && lines[index - 1].contains("#"), "line \(index + 1) `\(line)` has no comment above it")
        }
    }
}
