import ArgumentParser
import KeyrotConfig
@testable import KeyrotCLI
import Testing

@Suite("keyrotd policy: arguments")
struct PolicyCommandTests {
    @Test("is a subcommand of keyrotd; --config defaults to /etc/keyrotd/keyrotd.yml")
    func parsesDefaults() throws {
        let command = try KeyrotCommand.parseAsRoot(["policy", "--account", "123456789012"])
        let policy = try #require(command as? PolicyCommand)
        #expect(policy.account == "123456789012")
        #expect(policy.options.config == "/etc/keyrotd/keyrotd.yml")
    }

    @Test("takes --config PATH")
    func parsesConfig() throws {
        let policy = try PolicyCommand.parse(["--config", "/srv/k.yml", "--account", "123456789012"])
        #expect(policy.options.config == "/srv/k.yml")
    }

    @Test("refuses an account id that is not 12 digits", arguments: [
        ["--account", "12345"], ["--account", "arn:aws:iam::123456789012:root"], ["--account", ""],
    ])
    func refusesBadAccount(arguments: [String]) {
        #expect(throws: (any Error).self) { try PolicyCommand.parse(arguments) }
    }

    @Test("--account is optional (the account is then asked from STS)")
    func accountIsOptional() throws {
        let policy = try PolicyCommand.parse([])
        #expect(policy.account == nil)
    }

    @Test("a configuration error exits 78")
    func configurationErrorExits78() throws {
        let options = try GlobalOptions.parse(["--config", "/nonexistent/keyrotd-test.yml"])
        #expect(throws: ExitCode(78)) { try options.loadConfiguration(environment: [:]) }
    }
}
