import Foundation
import KeyrotConfig
import Testing

/// `restart_units` and `restart_timeout`: the services that read the key at start.
@Suite("restart_units")
struct RestartUnitsConfigurationTests {
    static let minimal = """
        user: snowplow-operator
        files:
          - path: /opt/snowplow/config/config.yml
            format: yaml

        """

    func parse(_ yaml: String) throws(ConfigurationError) -> KeyrotConfiguration {
        try KeyrotConfiguration.parse(yaml: Self.minimal + yaml, path: "/etc/keyrotd/keyrotd.yml", environment: [:], syntax: .credentialFiles)
    }

    func refusal(_ yaml: String) -> ConfigurationError? {
        do {
            _ = try parse(yaml)
            return nil
        } catch {
            return error
        }
    }

    @Test("none by default, and a 2-minute restart timeout")
    func defaults() throws {
        let configuration = try parse("")
        #expect(configuration.restartUnits.isEmpty)
        #expect(configuration.restartTimeout == .seconds(120))
    }

    @Test("units are kept in the order given, with their timeout")
    func order() throws {
        let configuration = try parse("""
            restart_units: [snowplow-collector.service, "snowplow-loader@good.service", sp\\x2denrich.service]
            restart_timeout: 45s
            """)
        #expect(configuration.restartUnits == ["snowplow-collector.service", "snowplow-loader@good.service", "sp\\x2denrich.service"])
        #expect(configuration.restartTimeout == .seconds(45))
    }

    @Test("names that are not one service unit are refused at their line",
          arguments: [
              "snowplow-collector", "snowplow-collector.socket", ".service", "*.service", "snowplow collector.service",
              "../etc/passwd.service", "a\\\"b.service", "foo@.service", "@foo.service", "a@b@c.service",
              "café.service", "'a\\');polkit.Result.YES;//.service", String(repeating: "a", count: 250) + ".service",
          ])
    func badNames(name: String) throws {
        let quoted = "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        let error = refusal("restart_units:\n  - \(quoted)\n")
        #expect(error?.code == .invalidValue, "\(name)")
        #expect(error?.line == 6, "\(name)")
    }

    @Test("a unit listed twice, a mapping instead of a list, a zero timeout are refused")
    func otherRefusals() {
        let twice = refusal("restart_units: [a.service, b.service, a.service]\n")
        #expect(twice?.code == .invalidValue)
        #expect(twice?.message.contains("twice") == true)
        #expect(refusal("restart_units: a.service\n")?.code == .wrongType)
        #expect(refusal("restart_units: [a.service]\nrestart_timeout: 0s\n")?.code == .invalidDuration)
    }
}
