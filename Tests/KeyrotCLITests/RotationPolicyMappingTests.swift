import KeyrotConfig
import KeyrotTestSupport
@testable import KeyrotCLI
import RotationEngine
import Testing

/// keyrotd.yml as the engine sees it: every key that shapes a rotation reaches the policy.
@Suite("From keyrotd.yml to the engine's policy")
struct RotationPolicyMappingTests {
    static let yaml = """
        user: snowplow-operator
        max_age: 30d
        overlap: 0s
        grace: 2h
        propagation_timeout: 5m
        propagation_checks: 1
        delete_unknown_active_keys: true
        verify_command: ["/usr/local/bin/check-pipeline"]
        files:
          - path: /opt/snowplow/config/config.yml
            format: yaml
          - path: /etc/default/snowplow
            format: env
        """

    @Test func everyRotationSettingReachesThePolicy() throws {
        let configuration = try KeyrotConfiguration.parse(yaml: Self.yaml, path: "/etc/keyrotd/keyrotd.yml", environment: [:], syntax: .credentialFiles)
        let policy = RotationRuntime.policy(for: configuration)
        #expect(policy.user == "snowplow-operator")
        #expect(policy.files == ["/opt/snowplow/config/config.yml", "/etc/default/snowplow"])
        #expect(policy.maxAge == 30 * 86_400)
        #expect(policy.overlap == 0)
        #expect(policy.grace == 7_200)
        #expect(policy.propagationTimeout == 300)
        #expect(policy.requiredConsecutiveChecks == 1)
        #expect(policy.deleteUnknownActiveKeys)
        #expect(policy.hasVerifyCommand)
        #expect(policy.retriesPerRun == RotationPolicy.forTests(files: []).retriesPerRun)
    }

    @Test func aForegroundRotationRetriesAStepOnlyOncePerRun() throws {
        let configuration = try KeyrotConfiguration.parse(yaml: Self.yaml, path: "/etc/keyrotd/keyrotd.yml", environment: [:], syntax: .credentialFiles)
        #expect(RotationRuntime.policy(for: configuration, foreground: true).retriesPerRun == 1)
    }
}
