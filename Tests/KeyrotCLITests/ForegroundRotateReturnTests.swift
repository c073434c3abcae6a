import Foundation
import KeyrotTestSupport
import Testing

/// `keyrotd rotate` returns after the switch; `--wait` waits through overlap and grace; `status`
/// shows the key's age. The real binary against moto.
@Suite("keyrotd rotate returns after the switch", .enabled(if: Repository.shouldRunIntegration, Comment(rawValue: Repository.skipReason)), .serialized)
struct ForegroundRotateReturnTests {
    @Test("with a 1h overlap, rotate returns once the files hold the new key, the old key still Active, and says what comes next")
    func returnsAfterTheSwitch() async throws {
        try await RotationSite.with { site in
            try site.writeConfiguration(overlap: "1h", grace: "1d")
            let rotate = try await site.keyrotd("rotate", "--force")
            #expect(rotate.status == 0, "\(rotate)")
            #expect(rotate.stdout.contains("rotated: every file holds"), "\(rotate)")
            #expect(rotate.stdout.contains("stays active until"), "\(rotate)")

            let keys = try await site.moto.keys()
            #expect(keys.count == 2 && keys.allSatisfy { $0.status == "Active" }, "IAM holds \(keys)")
            let new = try #require(keys.first { $0.id != site.moto.accessKeyID })
            let after = try site.snapshot()
            for file in RotationSite.files {
                let text = String(decoding: try #require(after.contents[file.name]), as: UTF8.self)
                #expect(text.contains(new.id) && !text.contains(site.moto.accessKeyID), "\(file.name) does not hold the new key")
            }
            let status = try await site.keyrotd("status", "--json")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any], "\(status)")
            #expect(object["phase"] as? String == "overlapping")

            // Before the overlap ends, another run changes nothing and says the same.
            let again = try await site.keyrotd("rotate")
            #expect(again.status == 0 && again.stdout.contains("stays active until"), "\(again)")
            #expect(try await site.moto.keys().count == 2)
            SecretLeaks.expectNone(in: rotate, secrets: [site.moto.secretAccessKey])
        }
    }

    @Test("rotate --wait waits through overlap and grace and deletes the old key")
    func waitsWhenAsked() async throws {
        try await RotationSite.with { site in
            try site.writeConfiguration(overlap: "2s", grace: "1s")
            let rotate = try await site.keyrotd("rotate", "--force", "--wait")
            #expect(rotate.status == 0, "\(rotate)")
            #expect(rotate.stdout.contains("rotation completed"), "\(rotate)")
            let keys = try await site.moto.keys()
            #expect(keys.count == 1 && keys.first?.id != site.moto.accessKeyID, "IAM holds \(keys)")
        }
    }

    @Test("status shows the key's age in days and the next rotation after an idle run")
    func statusShowsTheKeyAge() async throws {
        try await RotationSite.with { site in
            let rotate = try await site.keyrotd("rotate")
            #expect(rotate.status == 0 && rotate.stdout.contains("nothing to do"), "\(rotate)")
            let status = try await site.keyrotd("status")
            #expect(status.stdout.contains("key age: 0 days (created "), "\(status)")
            #expect(status.stdout.contains("next rotation: "), "\(status)")
            let json = try await site.keyrotd("status", "--json")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json)")
            #expect(object["key_age_days"] as? Int == 0)
            #expect(object["key_created_at"] is String)
        }
    }
}
