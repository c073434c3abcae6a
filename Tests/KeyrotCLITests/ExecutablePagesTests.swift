import Foundation
@testable import KeyrotCLI
import Testing

/// The idle daemon gives the pages of its executable back: measured on this test process, whose
/// executable's resident pages must shrink (other threads running tests may fault a few back).
@Suite("Executable pages")
struct ExecutablePagesTests {
    /// Resident kB of the mappings of this process's executable, from /proc/self/smaps.
    static func residentExecutableKB() throws -> Int {
        let executable = try #require(URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path as String?)
        let smaps = try String(contentsOfFile: "/proc/self/smaps", encoding: .utf8)
        var inExecutable = false
        var total = 0
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let first = fields.first, first.contains("-"), !first.hasSuffix(":") {
                inExecutable = fields.count >= 6 && String(fields[5]) == executable
            } else if inExecutable, fields.first == "Rss:", fields.count >= 2, let kB = Int(fields[1]) {
                total += kB
            }
        }
        return total
    }

    @Test func pagingOutShrinksTheExecutablesResidentPages() throws {
        let before = try Self.residentExecutableKB()
        #expect(before > 1024, "only \(before) kB of the executable resident to begin with")
        let advised = ExecutablePages.pageOut()
        let after = try Self.residentExecutableKB()
        #expect(advised > 0)
        #expect(after < before / 2, "resident kB of the executable: \(before) before, \(after) after")
    }
}
