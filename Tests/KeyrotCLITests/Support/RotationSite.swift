import Foundation
import KeyrotTestSupport
import Testing

/// A temporary directory set up like a Snowplow host: the four credential files keyrotd rotates
/// (each holding the emulator's key), a keyrotd.yml listing them, a state directory, and moto.
struct RotationSite {
    /// One configured credential file: its place, format and the mode it is created with.
    struct File: Sendable {
        let name: String
        let resource: String
        let mode: Int
        let yaml: String
        /// The fixture's bytes with the key pair put in place of the credential placeholders.
        let fill: @Sendable (String, String, String) -> String
    }

    /// The files and how the key goes into each fixture's `ADD HERE` placeholders.
    static let files: [File] = [
        File(name: "config.yml", resource: "emretlrunner-0.5.0-config.yml", mode: 0o640, yaml: "format: yaml") { text, id, secret in
            text.replacing(":access_key_id: ADD HERE", with: ":access_key_id: \(id)", maxReplacements: 1)
                .replacing(":secret_access_key: ADD HERE", with: ":secret_access_key: \(secret)", maxReplacements: 1)
        },
        File(name: "dynamodb.json", resource: "targets-r90-amazon_dynamodb_config-1-0-0.json", mode: 0o600, yaml: "format: json") { text, id, secret in
            text.replacing(#""accessKeyId": "ADD HERE""#, with: #""accessKeyId": "\#(id)""#)
                .replacing(#""secretAccessKey": "ADD HERE""#, with: #""secretAccessKey": "\#(secret)""#)
        },
        File(name: "credentials", resource: "aws-credentials", mode: 0o600, yaml: "format: aws-credentials\n    profile: snowplow") { text, id, secret in
            text.replacing("aws_access_key_id = ADD HERE", with: "aws_access_key_id = \(id)")
                .replacing("aws_secret_access_key = ADD HERE", with: "aws_secret_access_key = \(secret)")
        },
        File(name: "snowplow.env", resource: "snowplow.env", mode: 0o640,
             yaml: "format: env\n    access_key_id_var: AWS_SNOWPLOW_ACCESS_KEY\n    secret_access_key_var: AWS_SNOWPLOW_SECRET_KEY") { text, id, secret in
            text.replacing("AWS_SNOWPLOW_ACCESS_KEY=ADD HERE", with: "AWS_SNOWPLOW_ACCESS_KEY=\(id)")
                .replacing(#"AWS_SNOWPLOW_SECRET_KEY="ADD HERE""#, with: #"AWS_SNOWPLOW_SECRET_KEY="\#(secret)""#)
        },
    ]

    let directory: URL
    let moto: MotoEmulator
    let configPath: String

    /// Bytes and mode of every file, to compare before and after.
    struct Snapshot: Equatable {
        let contents: [String: Data]
        let modes: [String: Int]
    }

    /// Runs `body` on a fresh site; moto is stopped and the directory removed afterwards.
    static func with(denying denied: [String] = [], fleet: MotoEmulator.FleetRights = .none,
                     _ body: (RotationSite) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "keyrotd-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let moto = try await MotoEmulator.up(in: directory.appending(path: "moto"), denying: denied, fleet: fleet)
        do {
            let site = RotationSite(directory: directory, moto: moto, configPath: directory.appending(path: "keyrotd.yml").path)
            try site.writeFiles()
            try site.writeConfiguration()
            try await body(site)
        } catch {
            await moto.down()
            throw error
        }
        await moto.down()
    }

    func path(_ name: String) -> String { directory.appending(path: name).path }

    /// keyrotd.yml for this site; the endpoints default to moto's.
    /// `fleet`: a `fleet:` section body (indented two spaces) and moto as Secrets Manager and DynamoDB.
    /// `extra`: more top-level settings (e.g. `verify_command: [...]`), each line ending in a newline.
    func writeConfiguration(propagationTimeout: String = "30s", iamEndpoint: String? = nil, stsEndpoint: String? = nil,
                            overlap: String = "0s", grace: String = "0s", fleet: String? = nil, extra: String = "") throws {
        var text = """
            user: \(moto.user)
            max_age: 90d
            overlap: \(overlap)
            grace: \(grace)
            propagation_timeout: \(propagationTimeout)
            state_dir: \(path("state"))
            metrics_file: \(path("keyrotd.prom"))
            aws:
              region: us-east-1
              iam_endpoint: \(iamEndpoint ?? moto.endpoint)
              sts_endpoint: \(stsEndpoint ?? moto.endpoint)

            """
        if let fleet {
            text += "  secretsmanager_endpoint: \(moto.endpoint)\n  dynamodb_endpoint: \(moto.endpoint)\nfleet:\n\(fleet)"
        }
        text += extra + "files:\n"
        for file in Self.files {
            text += "  - path: \(path(file.name))\n    \(file.yaml)\n"
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: configPath))
    }

    /// Writes every file from its fixture with the emulator's key, in its mode.
    func writeFiles() throws {
        for file in Self.files {
            try write(file, id: moto.accessKeyID, secret: moto.secretAccessKey)
        }
    }

    /// Writes one file from its fixture with this key pair (the mode set explicitly, whatever the umask).
    func write(_ file: File, id: String, secret: String) throws {
        let fixture = try #require(Bundle.module.url(forResource: file.resource, withExtension: nil, subdirectory: "Resources"),
                                   "test resource \(file.resource) is missing")
        let text = String(decoding: try Data(contentsOf: fixture), as: UTF8.self)
        let filled = file.fill(text, id, secret)
        try #require(filled.contains(id) && filled.contains(secret), "the key did not go into \(file.resource)")
        try Data(filled.utf8).write(to: URL(fileURLWithPath: path(file.name)))
        try FileManager.default.setAttributes([.posixPermissions: file.mode], ofItemAtPath: path(file.name))
    }

    func snapshot() throws -> Snapshot {
        var contents: [String: Data] = [:], modes: [String: Int] = [:]
        for file in Self.files {
            contents[file.name] = try Data(contentsOf: URL(fileURLWithPath: path(file.name)))
            modes[file.name] = try FileManager.default.attributesOfItem(atPath: path(file.name))[.posixPermissions] as? Int
        }
        return Snapshot(contents: contents, modes: modes)
    }

    /// Runs the real keyrotd with `--config` of this site appended.
    func keyrotd(_ arguments: String...) async throws -> ChildResult {
        try await ChildProcess.run(Repository.keyrotd(), arguments + ["--config", configPath])
    }
}
