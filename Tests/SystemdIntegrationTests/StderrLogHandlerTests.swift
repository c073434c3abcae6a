import Foundation
import KeyrotCore
import Logging
import Synchronization
import Testing
@testable import SystemdIntegration

@Suite struct StderrLogHandlerTests {
    /// The lines the handler wrote, instead of stderr.
    final class Lines: Sendable {
        let all = Mutex<[String]>([])
    }

    let lines = Lines()

    func logger() -> Logger {
        let fixed = Date(timeIntervalSince1970: 1_795_000_000.25)
        return Logger(label: "keyrotd") { label in
            StderrLogHandler(label: label, now: { fixed }, write: { line in lines.all.withLock { $0.append(line) } })
        }
    }

    @Test func oneReadableLineWithTimestampLevelMessageAndSortedMetadata() throws {
        logger().warning("old key still in use", metadata: ["phase": "overlap", "key_id": "AKIAOLD"])
        let line = try #require(lines.all.withLock { $0.first })
        #expect(line == "2026-11-18T11:06:40.250Z warning keyrotd: old key still in use key_id=AKIAOLD phase=overlap\n")
    }

    @Test func newlinesStayEscapedAndSpacedValuesQuoted() throws {
        logger().error("first\nsecond", metadata: ["file": "/opt/my config/a.hocon", "note": "say \"hi\""])
        let line = try #require(lines.all.withLock { $0.first })
        #expect(line.filter { $0 == "\n" }.count == 1)
        #expect(line.contains("first\\nsecond"))
        #expect(line.contains("file=\"/opt/my config/a.hocon\""))
        #expect(line.contains("note=\"say \\\"hi\\\"\""))
    }

    @Test func listsShowAsListsNotAsEscapedJSON() throws {
        logger().notice("rotated", metadata: ["files": ["/etc/a.yml", "/etc/b.json"], "keys": ["new": "AKIANEW", "old": "AKIAOLD"]])
        let line = try #require(lines.all.withLock { $0.first })
        #expect(line.hasSuffix("rotated files=[/etc/a.yml,/etc/b.json] keys={new:AKIANEW,old:AKIAOLD}\n"), "\(line)")
    }

    @Test func secretsShowRedacted() throws {
        let secret = Secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        logger().info("new secret \(secret)", metadata: ["secret": .stringConvertible(secret)])
        let line = try #require(lines.all.withLock { $0.first })
        #expect(!line.contains(secret.revealed()))
        #expect(line.contains("new secret <redacted> secret=<redacted>"))
    }

    @Test func levelBelowThresholdIsDropped() {
        logger().debug("noise")
        #expect(lines.all.withLock { $0.isEmpty })
    }
}
