import Foundation
import KeyrotTestSupport
import Testing

/// `keyrotd rotate --force` end to end: the real binary against moto with authentication on,
/// over the four file formats at once (overlap 0s, grace 0s).
@Suite("keyrotd rotate --force against moto", .enabled(if: Repository.shouldRunIntegration, Comment(rawValue: Repository.skipReason)), .serialized)
struct ForcedRotationTests {
    @Test("rotates yaml, json, aws-credentials and env files: one working Active key in every file, the old one gone, modes and other bytes kept")
    func rotatesEveryFormat() async throws {
        try await RotationSite.with { site in
            let before = try site.snapshot()
            let oldID = site.moto.accessKeyID, oldSecret = site.moto.secretAccessKey

            let started = ContinuousClock.now
            let rotate = try await site.keyrotd("rotate", "--force")
            let wallTime = ContinuousClock.now - started
            print("figure: one forced rotation (keyrotd rotate --force, overlap 0s, grace 0s, 4 files, local moto): \(wallTime)")
            #expect(rotate.status == 0, "\(rotate)")

            let keys = try await site.moto.keys()
            #expect(keys.count == 1, "IAM holds \(keys)")
            let key = try #require(keys.first)
            #expect(key.status == "Active")
            #expect(key.id != oldID)

            let after = try site.snapshot()
            let newSecret = try #require(Self.secret(inCredentialsFile: after.contents["credentials"]),
                                         "no secret in the rewritten aws-credentials file")
            #expect(newSecret != oldSecret)
            #expect(after.modes == before.modes)
            for file in RotationSite.files {
                let text = String(decoding: try #require(after.contents[file.name]), as: UTF8.self)
                #expect(text.contains(key.id) && text.contains(newSecret), "\(file.name) does not hold the new key")
                // Map the new values back to the old ones: every other byte must be as it was.
                let mappedBack = text.replacing(key.id, with: oldID).replacing(newSecret, with: oldSecret)
                #expect(Data(mappedBack.utf8) == before.contents[file.name], "\(file.name) changed outside the key values")
            }

            // The new key works: check signs GetCallerIdentity and ListAccessKeys with it.
            let check = try await site.keyrotd("check")
            #expect(check.status == 0, "\(check)")
            #expect(check.stdout.contains(key.id))
            for result in [rotate, check] {
                SecretLeaks.expectNone(in: result, secrets: [oldSecret, newSecret])
            }
        }
    }

    @Test("status --json after a rotation: valid JSON, phase idle, the new key id, no secret")
    func statusAfterRotation() async throws {
        try await RotationSite.with { site in
            let rotate = try await site.keyrotd("rotate", "--force")
            #expect(rotate.status == 0, "\(rotate)")
            let newID = try #require(try await site.moto.keys().first?.id)

            let status = try await site.keyrotd("status", "--json")
            #expect(status.status == 0, "\(status)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any],
                                      "status --json printed no JSON object: \(status)")
            #expect(object["phase"] as? String == "idle")
            #expect(object["current_key_id"] as? String == newID)
            #expect(object["user"] as? String == site.moto.user)

            let newSecret = try #require(Self.secret(inCredentialsFile: try site.snapshot().contents["credentials"]))
            for result in [rotate, status] {
                SecretLeaks.expectNone(in: result, secrets: [site.moto.secretAccessKey, newSecret])
            }
        }
    }

    @Test("metrics_file after a rotation: one completed rotation, phase idle, the new key's creation time, no secret")
    func metricsAfterRotation() async throws {
        try await RotationSite.with { site in
            let rotate = try await site.keyrotd("rotate", "--force")
            #expect(rotate.status == 0, "\(rotate)")
            let text = try String(contentsOfFile: site.path("keyrotd.prom"), encoding: .utf8)
            print("figure: metrics file after a rotation:\n\(text)")
            #expect(text.contains(#"keyrotd_rotations_total{result="completed"} 1"#), "\(text)")
            #expect(text.contains(#"keyrotd_rotations_total{result="failed"} 0"#), "\(text)")
            #expect(text.contains(#"keyrotd_phase{phase="idle"} 1"#), "\(text)")
            #expect(text.contains("keyrotd_last_success_timestamp_seconds "))
            #expect(text.contains(#"keyrotd_access_key_created_timestamp_seconds{user="\#(site.moto.user)"} "#), "\(text)")
            let newSecret = try #require(Self.secret(inCredentialsFile: try site.snapshot().contents["credentials"]))
            #expect(!text.contains(newSecret) && !text.contains(site.moto.secretAccessKey))
        }
    }

    /// The `aws_secret_access_key` value of the `[snowplow]` profile (the last one in the fixture).
    static func secret(inCredentialsFile data: Data?) -> String? {
        guard let data else { return nil }
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last { $0.hasPrefix("aws_secret_access_key = ") }
        return line.map { String($0.dropFirst("aws_secret_access_key = ".count)) }
    }
}
