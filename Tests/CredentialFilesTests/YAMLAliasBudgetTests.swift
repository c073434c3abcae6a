import CredentialFiles
import KeyrotCore
import Testing

@Suite("YAML alias budget")
struct YAMLAliasBudgetTests {
    /// Ten levels of ten aliases each: 10^10 nodes when expanded.
    static let bomb: String = {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            yaml += "a\(level): &a\(level) [\(Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", "))]\n"
        }
        return yaml + "aws:\n  access_key_id: AKIAIOSFODNN7EXAMPLE\n  secret_access_key: secret\n  other: *a9\n"
    }()

    @Test("an alias bomb in a target is refused at once, naming the line")
    func bombRefused() {
        let started = ContinuousClock.now
        let error = credentialError { _ = try snapshot(Self.bomb, .yaml) }
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(error?.code == .aliasOrAnchor)
        #expect(error?.line == 3, "the eleventh alias is on line 3")
        #expect(error?.message.contains("more than 10 YAML aliases") == true)
    }

    @Test("a few aliases elsewhere in the file are still fine")
    func fewAliasesAccepted() throws {
        let text = "defaults: &defaults {region: eu-west-1}\nrunner:\n  <<: *defaults\n  aws:\n    access_key_id: AKIAIOSFODNN7EXAMPLE\n    secret_access_key: 'p*ssword*'\n"
        #expect(try snapshot(text, .yaml).pairs.count == 1)
    }
}
