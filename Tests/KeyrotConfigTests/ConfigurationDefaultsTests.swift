import CredentialFiles
import Foundation
import KeyrotConfig
import KeyrotCore
import Testing

@Suite("Defaults and accepted values")
struct ConfigurationDefaultsTests {
    static let minimal = """
        user: snowplow-operator
        files:
          - path: /opt/snowplow/config/config.yml
            format: yaml
        """

    func parse(_ yaml: String, environment: [String: String] = [:]) throws -> KeyrotConfiguration {
        try KeyrotConfiguration.parse(yaml: yaml, path: "/etc/keyrotd/keyrotd.yml", environment: environment, syntax: .credentialFiles)
    }

    @Test("a file with only user and files gets every default")
    func minimalGetsDefaults() throws {
        let configuration = try parse(Self.minimal)
        #expect(configuration == KeyrotConfiguration(
            user: "snowplow-operator",
            maxAge: .seconds(7_776_000), checkInterval: .seconds(3_600), overlap: .seconds(3_600),
            grace: .seconds(86_400), propagationTimeout: .seconds(120), propagationChecks: 3, stateDirectory: "/var/lib/keyrotd",
            deleteUnknownActiveKeys: false,
            aws: .init(region: "us-east-1", partition: .aws, iamEndpoint: nil, stsEndpoint: nil),
            verifyCommand: nil, verifyTimeout: .seconds(300),
            files: [CredentialFileSpec(path: "/opt/snowplow/config/config.yml", format: .yaml)]))
    }

    @Test("STATE_DIRECTORY from systemd wins over state_dir; its first path is used")
    func stateDirectoryFromEnvironment() throws {
        let yaml = Self.minimal + "\nstate_dir: /srv/keyrotd\n"
        #expect(try parse(yaml).stateDirectory == "/srv/keyrotd")
        #expect(try parse(yaml, environment: ["STATE_DIRECTORY": "/var/lib/keyrotd-a:/var/lib/other"])
            .stateDirectory == "/var/lib/keyrotd-a")
    }

    @Test("durations in every unit, and 0s for overlap and grace")
    func durations() throws {
        let configuration = try parse(Self.minimal + """

            max_age: 45s
            check_interval: 15m
            overlap: 0s
            grace: 0s
            propagation_timeout: 3h
            propagation_checks: 1
            verify_timeout: 2d
            """)
        #expect(configuration.maxAge == .seconds(45))
        #expect(configuration.checkInterval == .seconds(900))
        #expect(configuration.overlap == .zero)
        #expect(configuration.grace == .zero)
        #expect(configuration.propagationTimeout == .seconds(10_800))
        #expect(configuration.propagationChecks == 1)
        #expect(configuration.verifyTimeout == .seconds(172_800))
    }

    @Test("endpoint overrides: https anywhere, http on loopback hosts", arguments: [
        "https://iam.amazonaws.com", "http://127.0.0.1:5000", "http://127.8.9.10:5000/", "http://localhost:5000",
        "http://[::1]:5000",
    ])
    func endpoints(url: String) throws {
        let configuration = try parse(Self.minimal + """

            aws:
              partition: aws-us-gov
              iam_endpoint: \(url)
              sts_endpoint: \(url)
            """)
        #expect(configuration.aws.iamEndpoint == URL(string: url))
        #expect(configuration.aws.stsEndpoint == URL(string: url))
        #expect(configuration.aws.partition == .awsUSGov)
    }

    @Test("each format keeps only its own options, with the documented defaults")
    func formatOptions() throws {
        let configuration = try parse("""
            user: snowplow-operator
            delete_unknown_active_keys: true
            files:
              - path: /home/snowplow/.aws/credentials
                format: aws-credentials
              - path: /etc/default/snowplow
                format: env
                secret_access_key_var: SNOWPLOW_SECRET
            """)
        #expect(configuration.deleteUnknownActiveKeys)
        #expect(configuration.files == [
            CredentialFileSpec(path: "/home/snowplow/.aws/credentials", format: .awsCredentials, profile: "default"),
            CredentialFileSpec(path: "/etc/default/snowplow", format: .env,
                               accessKeyIDVariable: "AWS_ACCESS_KEY_ID", secretAccessKeyVariable: "SNOWPLOW_SECRET"),
        ])
    }

    @Test("a missing file is an error naming it, with exit status 78")
    func missingFile() {
        let path = "/nonexistent/keyrotd-\(UInt64.random(in: 0...UInt64.max)).yml"
        #expect {
            try KeyrotConfiguration.load(path: path, environment: [:], syntax: .credentialFiles)
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.code == .unreadableFile && error.description.hasPrefix(path) && error.exitCode == 78
        }
    }
}
