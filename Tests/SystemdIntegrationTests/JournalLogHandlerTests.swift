import Foundation
import KeyrotCore
import Logging
import Synchronization
import Testing
@testable import SystemdIntegration

@Suite struct JournalLogHandlerTests {
    /// A journal handler whose entries are kept instead of sent; `result` is what the fake
    /// sd_journal_sendv returns.
    final class Capture: Sendable {
        let entries = Mutex<[JournalEntry]>([])
        let fallbackLines = Mutex<[String]>([])
        let result: Int32

        init(result: Int32 = 0) {
            self.result = result
        }

        func logger() -> Logger {
            Logger(label: "keyrotd.test") { label in
                let fallback = StderrLogHandler(label: label, write: { line in self.fallbackLines.withLock { $0.append(line) } })
                return JournalLogHandler(label: label, metadataProvider: nil, fallback: fallback) { entry in
                    self.entries.withLock { $0.append(entry) }
                    return self.result
                }
            }
        }
    }

    @Test func anEntryCarriesMessagePriorityIdentifierCodeLocationAndFields() throws {
        let capture = Capture()
        let logger = capture.logger()
        let line: UInt = #line + 1
        logger.notice("rotation completed", metadata: [
            MessageID.metadataKey: MessageID.rotationCompleted.metadataValue,
            "key_id": "AKIAOLDOLDOLDOLD0001", "new_key_id": "AKIANEWNEWNEWNEW0002", "key_age_days": "91",
        ])
        let entry = try #require(capture.entries.withLock { $0.first })
        #expect(entry["MESSAGE"] == "rotation completed")
        #expect(entry["PRIORITY"] == "5")
        #expect(entry["SYSLOG_IDENTIFIER"] == "keyrotd")
        #expect(entry["CODE_FILE"] == #fileID)
        #expect(entry["CODE_LINE"] == String(line))
        #expect(entry["CODE_FUNC"] == #function)
        #expect(entry["MESSAGE_ID"] == "2210c75e03bd4291ae7f537120ec5592")
        #expect(entry["KEYROTD_KEY_ID"] == "AKIAOLDOLDOLDOLD0001")
        #expect(entry["KEYROTD_NEW_KEY_ID"] == "AKIANEWNEWNEWNEW0002")
        #expect(entry["KEYROTD_KEY_AGE_DAYS"] == "91")
        #expect(entry.fields.allSatisfy { JournalFieldName.isValid($0.name) })
    }

    @Test(arguments: [
        (Logger.Level.trace, "7"), (.debug, "7"), (.info, "6"), (.notice, "5"),
        (.warning, "4"), (.error, "3"), (.critical, "2"),
    ])
    func levelsMapToSyslogPriorities(level: Logger.Level, priority: String) throws {
        let capture = Capture()
        var logger = capture.logger()
        logger.logLevel = .trace
        logger.log(level: level, "x")
        #expect(capture.entries.withLock { $0.first?["PRIORITY"] } == priority)
    }

    @Test func handlerAndProviderMetadataAreIncludedAndTheCallWins() throws {
        let capture = Capture()
        var logger = capture.logger()
        logger[metadataKey: "user"] = "snowplow-operator"
        logger[metadataKey: "phase"] = "idle"
        logger.info("x", metadata: ["phase": "overlap"])
        let entry = try #require(capture.entries.withLock { $0.first })
        #expect(entry["KEYROTD_USER"] == "snowplow-operator")
        #expect(entry["KEYROTD_PHASE"] == "overlap")
    }

    @Test func secretsAreRedactedInMessageAndFieldsAndEncoding() throws {
        let secret = Secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        let capture = Capture()
        let logger = capture.logger()
        logger.error("saved \(secret)", metadata: ["secret": "\(secret)", "credentials": .stringConvertible(secret)])
        let entry = try #require(capture.entries.withLock { $0.first })
        #expect(entry["MESSAGE"] == "saved <redacted>")
        #expect(entry["KEYROTD_SECRET"] == "<redacted>")
        #expect(entry["KEYROTD_CREDENTIALS"] == "<redacted>")
        let bytes = entry.encodedFields.flatMap { $0 }
        #expect(!String(decoding: bytes, as: UTF8.self).contains(secret.revealed()))
    }

    @Test func encodedFieldsAreNameEqualsValueWithNewlinesKept() {
        let entry = JournalEntry(level: .info, message: "two\nlines", metadata: [:], file: "F.swift", function: "f()", line: 3)
        #expect(entry.encodedFields.first == Array("MESSAGE=two\nlines".utf8))
        #expect(entry.encodedFields.map { String(decoding: $0, as: UTF8.self) }.contains("CODE_LINE=3"))
    }

    @Test func aRefusedEntryGoesToStderrWithTheErrno() throws {
        let capture = Capture(result: -EPIPE)
        capture.logger().warning("old key still in use", metadata: ["key_id": "AKIAOLD"])
        let line = try #require(capture.fallbackLines.withLock { $0.first })
        #expect(line.contains("old key still in use"))
        #expect(line.contains("key_id=AKIAOLD"))
        #expect(line.contains("journal_errno=\(EPIPE)"))
    }
}
