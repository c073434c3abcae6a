import CredentialFiles
import Foundation
import KeyrotCore
import Testing

@Suite("Snowplow fixtures")
struct SnowplowFixtureTests {
    static let first = credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let second = credentials("AKIAI44QH8DHBEXAMPLE", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY+")

    static let rotatable: [(String, CredentialFileSpec.Format)] = [
        ("hive-etl-2012-06-08-0d9bb4e-plain-keys-config.yml", .yaml),
        ("emretlrunner-2012-10-15-b02495a-single-quoted-config.yml", .yaml),
        ("emretlrunner-0.5.0-config.yml", .yaml),
        ("emretlrunner-0.9.14-config.yml.sample", .yaml),
        ("storageloader-0.6.0-config.yml", .yaml),
        ("storageloader-r66-postgres.yml.sample", .yaml),
        ("targets-r90-amazon_dynamodb_config-1-0-0.json", .json),
    ]

    @Test("files keyed in place of the placeholder round-trip byte for byte", arguments: rotatable)
    func roundTrip(name: String, format: CredentialFileSpec.Format) throws {
        let original = try CredentialFiles.parse(Fixtures.keyed(name, with: Self.first), spec: Fixtures.spec(name, format))
        #expect(original.pairs.map(\.accessKeyID) == [Self.first.accessKeyID])
        let rotated = try CredentialFiles.rewrite(original, replacing: Self.first.accessKeyID, with: Self.second)
        #expect(rotated.pairs.map(\.accessKeyID) == [Self.second.accessKeyID])
        #expect(rotated.pairs.map(\.secretAccessKey) == [Self.second.secretAccessKey])
        #expect(rotated.pairs.map(\.line) == original.pairs.map(\.line))
        let back = try CredentialFiles.rewrite(rotated, replacing: Self.second.accessKeyID, with: Self.first)
        #expect(back.bytes == original.bytes)
    }

    @Test("the samples' ADD HERE placeholder is refused as not an access key id, described, not echoed", arguments: rotatable)
    func placeholderRefused(name: String, format: CredentialFileSpec.Format) throws {
        let error = credentialError { _ = try CredentialFiles.read(Fixtures.spec(name, format)) }
        #expect(error?.code == .notAnAccessKeyID)
        #expect(error?.message.contains("8 characters") == true)
        #expect(error?.description.contains("ADD HERE") == false)
    }

    @Test("a rotated fixture is written in place and reads back")
    func writeFixture() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let name = "emretlrunner-0.9.14-config.yml.sample"
        let path = try directory.file("config.yml", Fixtures.keyed(name, with: Self.first))
        let spec = CredentialFileSpec(path: path, format: .yaml)
        let original = try CredentialFiles.read(spec)
        let rewritten = try CredentialFiles.rewrite(original, replacing: Self.first.accessKeyID, with: Self.second)
        try CredentialFiles.write(rewritten, over: original)
        #expect(try CredentialFiles.read(spec).pairs == rewritten.pairs)
    }

    @Test("ERB credentials are refused with the variable they read", arguments: [
        "emretlrunner-r70-config.yml.sample",
        "emretlrunner-r119-config.yml.sample",
        "emretlrunner-pr2064-unmerged-erb-everywhere-config.yml.sample",
    ])
    func erbRefused(name: String) throws {
        let error = credentialError { _ = try CredentialFiles.read(Fixtures.spec(name, .yaml)) }
        #expect(error?.code == .erbTemplate)
        #expect(error?.line == 3)
        #expect(error?.message.contains("AWS_SNOWPLOW_ACCESS_KEY") == true)
        #expect(error?.message.contains("`env` file entry") == true)
        #expect(error?.description.contains(name) == true)
    }

    @Test("the tab-indented file is refused as unparsable, with the tab hint")
    func tabIndented() throws {
        let error = credentialError {
            _ = try CredentialFiles.read(Fixtures.spec("emretlrunner-2012-09-22-c3292d6-tab-indented-config.yml", .yaml))
        }
        #expect(error?.code == .unparsable)
        #expect(error?.line != nil)
        #expect(error?.message.contains("tabs") == true)
    }

    @Test("Dataflow Runner's env values are refused: nothing to rotate")
    func dataflowEnv() throws {
        let error = credentialError { _ = try CredentialFiles.read(Fixtures.spec("dataflow-runner-0.7.5-cluster.json.sample", .json)) }
        #expect(error?.code == .specialValue)
        #expect(error?.line == 8)
        #expect(error?.message.contains("'env'") == true)
    }

    @Test("JSON files without keys read as no pairs and cannot be rotated", arguments: [
        "targets-r88-redshift_config-1-0-0.json", "iglu-resolver-r117.json",
    ])
    func noKeys(name: String) throws {
        let snapshot = try CredentialFiles.read(Fixtures.spec(name, .json))
        #expect(snapshot.pairs.isEmpty)
        let error = credentialError { _ = try CredentialFiles.rewrite(snapshot, replacing: Self.first.accessKeyID, with: Self.second) }
        #expect(error?.code == .keyNotFound)
    }

    @Test("refused files stay untouched when the rotation tries them", arguments: [
        "emretlrunner-r70-config.yml.sample", "emretlrunner-2012-09-22-c3292d6-tab-indented-config.yml",
    ])
    func refusedUntouched(name: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bytes = try Fixtures.bytes(name)
        let path = try directory.file("config.yml", bytes)
        #expect(throws: CredentialFileError.self) { try CredentialFiles.read(CredentialFileSpec(path: path, format: .yaml)) }
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == bytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["config.yml"])
    }
}
