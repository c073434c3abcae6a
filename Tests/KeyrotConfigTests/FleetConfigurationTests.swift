import Foundation
import KeyrotConfig
import KeyrotCore
import Testing

/// The `fleet:` section and the fleet endpoints: defaults, the machine id, and refusals that name
/// the setting at fault.
@Suite struct FleetConfigurationTests {
    static let base = """
        user: snowplow-operator
        files:
          - path: /opt/snowplow/config/config.yml
            format: yaml
        """

    static func machineID(_ text: String?) throws -> String {
        let path = FileManager.default.temporaryDirectory.appending(path: "keyrotd-machine-id-\(UUID().uuidString)").path
        if let text { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) }
        return path
    }

    static func parse(_ yaml: String, machineID: String? = "0123456789abcdef0123456789abcdef\n") throws -> KeyrotConfiguration {
        try KeyrotConfiguration.parse(yaml: yaml, path: "/etc/keyrotd/keyrotd.yml", environment: [:], syntax: .credentialFiles, machineIDPath: try Self.machineID(machineID))
    }

    static func refusal(_ yaml: String, machineID: String? = "0123456789abcdef0123456789abcdef\n") throws -> ConfigurationError {
        do {
            _ = try parse(yaml, machineID: machineID)
        } catch let error as ConfigurationError {
            return error
        }
        throw NotRefused()
    }

    struct NotRefused: Error {}

    @Test func withoutAFleetSectionNothingChanges() throws {
        let configuration = try Self.parse(Self.base)
        #expect(configuration.fleet == nil)
        #expect(configuration.aws.secretsManagerEndpoint == nil && configuration.aws.dynamoDBEndpoint == nil)
    }

    @Test func aMinimalFleetSectionGetsEveryDefaultAndTheMachineID() throws {
        let configuration = try Self.parse(Self.base + "\nfleet:\n  secret_id: keyrotd/snowplow-operator\n  lock_table: keyrotd-fleet\n")
        #expect(configuration.fleet == FleetSettings(
            secretID: "keyrotd/snowplow-operator", lockTable: "keyrotd-fleet", hostID: "0123456789abcdef0123456789abcdef",
            leaseDuration: .seconds(60), pollInterval: .seconds(30), memberTimeout: .seconds(300), ackTimeout: .seconds(3_600),
            memberGrace: .seconds(604_800)))
    }

    @Test func everySettingCanBeGiven() throws {
        let configuration = try Self.parse(Self.base + """

            aws:
              region: eu-west-1
              secretsmanager_endpoint: http://127.0.0.1:5000
              dynamodb_endpoint: https://dynamodb.eu-west-1.amazonaws.com
            fleet:
              secret_id: arn:aws:secretsmanager:eu-west-1:123456789012:secret:keyrotd/op-AbCdEf
              lock_table: keyrotd_fleet.1
              host_id: collector-2
              lease_duration: 2m
              poll_interval: 10s
              member_timeout: 1m
              ack_timeout: 30m
              member_grace: 3d
            """, machineID: nil)
        let fleet = try #require(configuration.fleet)
        #expect(fleet.hostID == "collector-2")
        #expect(fleet.leaseDuration == .seconds(120) && fleet.pollInterval == .seconds(10) && fleet.memberTimeout == .seconds(60))
        #expect(fleet.ackTimeout == .seconds(1_800) && fleet.memberGrace == .seconds(259_200))
        #expect(configuration.aws.secretsManagerEndpoint?.absoluteString == "http://127.0.0.1:5000")
        #expect(configuration.aws.dynamoDBEndpoint?.absoluteString == "https://dynamodb.eu-west-1.amazonaws.com")
    }

    @Test(arguments: [
        ("fleet:\n  lock_table: t-1\n", ConfigurationError.Code.missingKey, ["`secret_id`"]),
        ("fleet:\n  secret_id: s\n", .missingKey, ["`lock_table`"]),
        ("fleet:\n  secret_id: s\n  lock_table: t-1\n  lease: 1m\n", .unknownKey, ["`lease`", "lease_duration"]),
        ("fleet:\n  secret_id: \"my secret\"\n  lock_table: t-1\n", .invalidValue, ["fleet.secret_id"]),
        ("fleet:\n  secret_id: s\n  lock_table: t\n", .invalidValue, ["fleet.lock_table", "3 to 255"]),
        ("fleet:\n  secret_id: s\n  lock_table: t-1\n  host_id: \"host#1\"\n", .invalidValue, ["fleet.host_id"]),
        ("fleet:\n  secret_id: s\n  lock_table: t-1\n  lease_duration: 0s\n", .invalidDuration, ["`lease_duration`"]),
        ("fleet:\n  secret_id: s\n  lock_table: t-1\n  poll_interval: 1 minute\n", .invalidDuration, ["`poll_interval: 1 minute`"]),
        ("fleet:\n  secret_id: s\n  lock_table: t-1\n  member_timeout: 30s\n", .invalidValue, ["fleet.member_timeout", "fleet.poll_interval"]),
        ("fleet:\n  secret_id: s\n  lock_table: t-1\n  member_grace: 1m\n", .invalidValue, ["fleet.member_grace", "fleet.member_timeout"]),
        ("fleet: keyrotd/op\n", .wrongType, ["`fleet`"]),
        ("aws:\n  secretsmanager_endpoint: http://10.0.0.5:5000\n", .invalidValue, ["secretsmanager_endpoint", "loopback"]),
        ("aws:\n  dynamodb_endpoint: http://dynamodb.internal\n", .invalidValue, ["dynamodb_endpoint", "loopback"]),
        ("aws:\n  dynamodb_endpoint: ftp://127.0.0.1\n", .invalidValue, ["dynamodb_endpoint", "https"]),
    ])
    func refusalsNameTheSetting(section: String, code: ConfigurationError.Code, mentions: [String]) throws {
        let error = try Self.refusal(Self.base + "\n" + section)
        #expect(error.code == code)
        #expect(error.line != nil)
        for word in mentions { #expect(error.message.contains(word), "\(error.message) lacks \(word)") }
    }

    @Test(arguments: [nil, "", "not a machine id!\n"])
    func withoutHostIDAnUnusableMachineIDIsRefusedNamingHostID(machineID: String?) throws {
        let error = try Self.refusal(Self.base + "\nfleet:\n  secret_id: s\n  lock_table: t-1\n", machineID: machineID)
        #expect(error.code == .missingKey)
        #expect(error.message.contains("fleet.host_id") && error.message.contains("keyrotd-machine-id"))
    }
}
