import Foundation
import Testing

/// The signer is plain, safe Swift: no `Unsafe` pointer, buffer or `@unchecked` escape hatch.
@Suite struct SignerSourceTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/AWSSigV4").standardized

    @Test func noUnsafeCodeInTheSigner() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.sources.path).filter { $0.hasSuffix(".swift") }
        #expect(!files.isEmpty, "\(Self.sources.path)")
        for file in files {
            let text = try String(contentsOf: Self.sources.appendingPathComponent(file), encoding: .utf8)
            #expect(!text.contains("Unsafe"), "\(file)")
            #expect(!text.contains("@unchecked"), "\(file)")
        }
    }
}
