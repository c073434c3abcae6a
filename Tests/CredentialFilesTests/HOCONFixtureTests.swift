import CredentialFiles
import Foundation
import KeyrotCore
import KeyrotTestSupport
import Testing

/// The Snowplow HOCON samples with keys in each quoting style (Resources/snowplow/SOURCES.md), rotated
/// and checked with pyhocon, a HOCON parser that shares no code with keyrotd's.
@Suite("Snowplow HOCON fixtures")
struct HOCONFixtureTests {
    static let old = credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let new = credentials("AKIA2ROTATEDEXAMPLE7", "je7MtGbClwBF/2Zp9Utk+h3yCo8nvbEXAMPLEKEY")

    /// Fixture, pairs holding the old key, pairs in all.
    static let fixtures: [(String, Int, Int)] = [
        ("stream-enrich-0.12.0-unquoted.hocon", 1, 1),
        ("stream-enrich-0.12.0-triple-quoted.hocon", 1, 1),
        ("stream-enrich-0.12.0-dotted-crlf-bom.hocon", 1, 1),
        ("scala-stream-collector-r66-quoted.hocon", 1, 1),
        ("scala-stream-collector-r66-env-override.hocon", 1, 1),
        ("collector-two-sinks-handwritten.hocon", 2, 3),
    ]

    static let checker = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appending(path: "hocon/same_tree.py").path

    /// pyhocon is there, or CI is set (where its absence must fail, not skip).
    static let pyhoconAvailable: Bool = {
        guard ProcessInfo.processInfo.environment["CI"] != "true" else { return true }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import pyhocon"]
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()  // Once, while the suite's traits are evaluated, before any test runs.
        return probe.terminationStatus == 0
    }()

    static func run(_ arguments: [String], input: Data) async throws -> Int32 {
        try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3"] + arguments, input: input).status
    }

    /// `original`'s text with the old values changed as the rewriter must change them: an unquoted
    /// secret that now needs quotes gets them, everything else is byte for byte the same.
    static func expectedRotation(_ original: [UInt8]) -> [UInt8] {
        var text = String(decoding: original, as: UTF8.self).replacing(old.accessKeyID.rawValue, with: new.accessKeyID.rawValue)
        let oldSecret = old.secretAccessKey.revealed(), newSecret = new.secretAccessKey.revealed()
        while let range = text.range(of: oldSecret) {
            let quoted = range.lowerBound > text.startIndex && text[text.index(before: range.lowerBound)] == "\""
            text.replaceSubrange(range, with: quoted ? newSecret : "\"\(newSecret)\"")
        }
        return Array(text.utf8)
    }

    @Test("rotated byte for byte except the two values", arguments: fixtures)
    func rotate(name: String, holding: Int, total: Int) throws {
        let original = try CredentialFiles.read(Fixtures.spec(name, .hocon))
        #expect(original.pairs.count == total)
        #expect(original.pairs.filter { $0.accessKeyID == Self.old.accessKeyID }.count == holding)
        let rotated = try CredentialFiles.rewrite(original, replacing: Self.old.accessKeyID, with: Self.new)
        #expect(rotated.bytes == Self.expectedRotation(original.bytes))
        #expect(rotated.pairs.filter { $0.accessKeyID == Self.new.accessKeyID }.count == holding)
        let back = try CredentialFiles.rewrite(rotated, replacing: Self.new.accessKeyID, with: Self.old)
        #expect(back.pairs == original.pairs)
    }

    @Test("pyhocon reads the rotated file as the same tree with only the two values changed",
          .enabled(if: pyhoconAvailable, "needs python3 with pyhocon (scripts/install-deps); with CI=true its absence fails instead"),
          arguments: fixtures)
    func independentParser(name: String, holding: Int, total: Int) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let original = try CredentialFiles.read(Fixtures.spec(name, .hocon))
        let rotated = try CredentialFiles.rewrite(original, replacing: Self.old.accessKeyID, with: Self.new)
        let before = try directory.file("before.hocon", original.bytes)
        let after = try directory.file("after.hocon", rotated.bytes)
        let replacements = try JSONEncoder().encode([Self.old.accessKeyID.rawValue: Self.new.accessKeyID.rawValue,
                                                    Self.old.secretAccessKey.revealed(): Self.new.secretAccessKey.revealed()])
        #expect(try await Self.run([Self.checker, before, after], input: replacements) == 0)
        // The checker is not blind: the unrotated file is not the rotated tree.
        #expect(try await Self.run([Self.checker, before, before], input: replacements) == 1)
    }

    @Test("the override fixture rotates with a notice naming both variables") func overrideNotice() throws {
        let original = try CredentialFiles.read(Fixtures.spec("scala-stream-collector-r66-env-override.hocon", .hocon))
        let notices = original.notices.map(\.text).joined(separator: "\n")
        #expect(notices.contains("${?COLLECTOR_SINK_AWS_ACCESS_KEY}") && notices.contains("${?COLLECTOR_SINK_AWS_SECRET_KEY}"))
        #expect(!notices.contains(Self.old.secretAccessKey.revealed()))
    }
}
