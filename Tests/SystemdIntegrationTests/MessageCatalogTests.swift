import Foundation
import Testing
import KeyrotTestSupport
@testable import SystemdIntegration

/// `systemd/keyrotd.catalog` and ``MessageID`` must describe the same events.
@Suite struct MessageCatalogTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let catalogURL = repositoryRoot.appendingPathComponent("systemd/keyrotd.catalog")

    /// The ids that open an entry (`-- <id>` lines), in file order.
    static func catalogIDs() throws -> [String] {
        try String(contentsOf: catalogURL, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
            .filter { $0.hasPrefix("-- ") }
            .map { String($0.dropFirst(3).split(separator: " ").first ?? "") }
    }

    @Test func everyMessageIDHasExactlyOneCatalogEntryAndViceVersa() throws {
        let ids = try Self.catalogIDs()
        for messageID in MessageID.all {
            #expect(ids.filter { $0 == messageID.id }.count == 1, "\(messageID.name) \(messageID.id)")
        }
        #expect(Set(ids) == Set(MessageID.all.map(\.id)))
        #expect(ids.count == MessageID.all.count)
    }

    @Test func idsAre128BitLowercaseHexAndDistinct() {
        let hex = Set("0123456789abcdef")
        for messageID in MessageID.all {
            #expect(messageID.id.count == 32 && messageID.id.allSatisfy { hex.contains($0) }, "\(messageID.name)")
        }
        #expect(Set(MessageID.all.map(\.id)).count == MessageID.all.count)
        #expect(Set(MessageID.all.map(\.name)).count == MessageID.all.count)
    }

    @Test func everyEntryHasTheRequiredHeadersAndABody() throws {
        let text = try String(contentsOf: Self.catalogURL, encoding: .utf8)
        let entries = text.components(separatedBy: "\n-- ").dropFirst()
        #expect(entries.count == MessageID.all.count)
        for entry in entries {
            let id = String(entry.prefix(32))
            for header in ["\nSubject: ", "\nDefined-By: keyrotd\n", "\nDocumentation: man:keyrotd(8)\n", "\nSupport: "] {
                #expect(entry.contains(header), "\(id) lacks \(header.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            let body = entry.components(separatedBy: "\n\n").dropFirst().joined()
            #expect(body.count > 40, "\(id) has no body")
        }
    }

    static let journalctl = ["/usr/bin/journalctl", "/bin/journalctl"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let required = ProcessInfo.processInfo.environment["CI"] == "true"

    /// journalctl itself accepts the file and lists every id (skipped without journalctl, except in CI).
    @Test(.enabled(if: journalctl != nil || required, "journalctl is not installed"))
    func journalctlCompilesTheCatalogWithEveryID() async throws {
        let journalctl = try #require(Self.journalctl, "journalctl is required in CI")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("keyrotd-catalog-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let catalogDirectory = root.appendingPathComponent("usr/lib/systemd/catalog")
        try FileManager.default.createDirectory(at: catalogDirectory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.catalogURL, to: catalogDirectory.appendingPathComponent("keyrotd.catalog"))

        let update = try await run(journalctl, ["--root=\(root.path)", "--update-catalog"])
        #expect(update.status == 0, "\(update.output)")
        let list = try await run(journalctl, ["--root=\(root.path)", "--list-catalog"])
        #expect(list.status == 0)
        let listed = Set(list.output.split(separator: "\n").map { String($0.prefix(32)) })
        #expect(listed == Set(MessageID.all.map(\.id)))
    }

    private func run(_ executable: String, _ arguments: [String]) async throws -> ChildResult {
        try await ChildProcess.run(URL(fileURLWithPath: executable), arguments)
    }
}
