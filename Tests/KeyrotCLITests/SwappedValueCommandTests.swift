import Foundation
import KeyrotTestSupport
import Testing

/// A file holding the secret where the access key id goes (the two values swapped), in each
/// format: `check`, `rotate` and `status --json` refuse or report it describing the value, and the
/// secret appears nowhere: not in their output, not in last-run.json or any file of the state
/// directory; IAM and the files are left as they were.
@Suite("Swapped values through the commands", .enabled(if: Repository.shouldRunIntegration, Comment(rawValue: Repository.skipReason)), .serialized)
struct SwappedValueCommandTests {
    @Test("swapped id and secret are described, never shown", arguments: RotationSite.files.map(\.name))
    func swapped(name: String) async throws {
        try await RotationSite.with { site in
            let file = try #require(RotationSite.files.first { $0.name == name })
            try site.write(file, id: site.moto.secretAccessKey, secret: site.moto.accessKeyID)
            let files = try site.snapshot()
            let keys = try await site.moto.keys()

            let check = try await site.keyrotd("check")
            #expect(check.status != 0, "\(check)")
            #expect(check.output.contains(site.path(name)), "\(check)")
            #expect(check.output.contains("not an access key id (40 characters, shaped like a secret access key: are the id and the secret swapped?)"), "\(check)")
            SecretLeaks.expectNone(in: check, secrets: [site.moto.secretAccessKey])

            let rotate = try await site.keyrotd("rotate", "--force")
            #expect(rotate.status != 0, "\(rotate)")
            #expect(rotate.output.contains("not an access key id"), "\(rotate)")
            SecretLeaks.expectNone(in: rotate, secrets: [site.moto.secretAccessKey])

            let status = try await site.keyrotd("status", "--json")
            SecretLeaks.expectNone(in: status, secrets: [site.moto.secretAccessKey])

            #expect(try site.snapshot() == files, "the files changed")
            #expect(try await site.moto.keys() == keys, "IAM's key list changed")
            let state = site.path("state")
            for entry in (try? FileManager.default.subpathsOfDirectory(atPath: state)) ?? [] {
                let text = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: "\(state)/\(entry)"))) ?? Data(), as: UTF8.self)
                #expect(!text.contains(site.moto.secretAccessKey), "\(entry) holds the secret")
            }
        }
    }
}
