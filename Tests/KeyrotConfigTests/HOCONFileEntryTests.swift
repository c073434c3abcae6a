import CredentialFiles
import KeyrotConfig
import KeyrotCore
import Testing

@Suite("format: hocon file entries")
struct HOCONFileEntryTests {
    static let path = "/etc/keyrotd/keyrotd.yml"

    func parse(_ files: String) throws -> [CredentialFileSpec] {
        try KeyrotConfiguration.parse(yaml: "user: snowplow-operator\nfiles:\n\(files)", path: Self.path, environment: [:], syntax: .credentialFiles).files
    }

    func error(_ files: String) throws -> ConfigurationError {
        try #require(throws: ConfigurationError.self) { _ = try parse(files) }
    }

    @Test("without paths it finds Snowplow's names; with both, the two settings named")
    func paths() throws {
        #expect(try parse("  - path: /etc/snowplow/collector.hocon\n    format: hocon\n")
            == [CredentialFileSpec(path: "/etc/snowplow/collector.hocon", format: .hocon)])
        #expect(try parse("  - path: /etc/app.conf\n    format: hocon\n    access_key_path: app.s3.\"key.id\"\n    secret_key_path: app.s3.secret\n")
            == [CredentialFileSpec(path: "/etc/app.conf", format: .hocon, accessKeyPath: "app.s3.\"key.id\"", secretKeyPath: "app.s3.secret")])
    }

    @Test("refused: one path without the other, a path that is not one, a path on another format")
    func refusals() throws {
        let alone = try error("  - path: /etc/app.conf\n    format: hocon\n    secret_key_path: app.secret\n")
        #expect(alone.code == .invalidValue && alone.line == 5 && alone.message.contains("access_key_path"))
        let notPath = try error("  - path: /etc/app.conf\n    format: hocon\n    access_key_path: app..id\n    secret_key_path: app.secret\n")
        #expect(notPath.code == .invalidValue && notPath.line == 5 && notPath.message.contains("not a HOCON path"))
        let wrongFormat = try error("  - path: /etc/app.json\n    format: json\n    access_key_path: a.b\n")
        #expect(wrongFormat.code == .optionNotForFormat && wrongFormat.message.contains("format hocon"))
    }
}
