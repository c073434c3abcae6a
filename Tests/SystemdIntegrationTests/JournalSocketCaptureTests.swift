import Foundation
import Logging
import Testing
@testable import SystemdIntegration
#if canImport(Glibc)
import Glibc
#endif

/// A real `sd_journal_sendv` call, captured by binding journald's socket path ourselves.
/// libsystemd hardcodes `/run/systemd/journal/socket`, so this needs root and no running journald
/// (true in CI and on these machines); with a live journald the capture is left to the e2e tests.
@Suite(.serialized) struct JournalSocketCaptureTests {
    static let socketPath = "/run/systemd/journal/socket"
    static let isRoot = geteuid() == 0
    static let required = ProcessInfo.processInfo.environment["CI"] == "true"

    /// True when something answers on journald's socket.
    static var journaldIsRunning: Bool {
        let probe = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(probe) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (index, byte) in socketPath.utf8.enumerated() { raw[index] = byte }
        }
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }

    @Test(.enabled(if: (isRoot || required) && !journaldIsRunning, "needs root and no running journald"))
    func sdJournalSendvDeliversOurFields() throws {
        try #require(Self.isRoot, "binding \(Self.socketPath) needs root")
        let directory = "/run/systemd/journal"
        let createdDirectory = !FileManager.default.fileExists(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        unlink(Self.socketPath)
        let listener = try DatagramListener(address: Self.socketPath)
        defer {
            unlink(Self.socketPath)
            if createdDirectory { rmdir(directory) }
        }

        let logger = Logger(label: "keyrotd.capture") { JournalLogHandler(label: $0) }
        let line: UInt = #line + 1
        logger.warning("old key still in use\nsee catalog", metadata: [
            MessageID.metadataKey: MessageID.oldKeyStillInUse.metadataValue, "key_id": "AKIAOLDKEY",
        ])

        let datagram = try #require(listener.receiveBytes(), "nothing arrived on \(Self.socketPath)")
        let fields = try JournalNativeProtocol.parse(datagram)
        #expect(fields["MESSAGE"] == ["old key still in use\nsee catalog"])
        #expect(fields["PRIORITY"] == ["4"])
        #expect(fields["SYSLOG_IDENTIFIER"] == ["keyrotd"])
        #expect(fields["MESSAGE_ID"] == [MessageID.oldKeyStillInUse.id])
        #expect(fields["KEYROTD_KEY_ID"] == ["AKIAOLDKEY"])
        #expect(fields["CODE_FILE"] == [#fileID])
        #expect(fields["CODE_LINE"] == [String(line)])
        #expect(fields["CODE_FUNC"] == [#function])
    }
}

/// Reads journald's native datagram format (systemd docs/JOURNAL_NATIVE_PROTOCOL.md):
/// `NAME=value\n`, or `NAME\n` + 64-bit little-endian length + bytes + `\n` for values with newlines.
enum JournalNativeProtocol {
    struct Malformed: Error {}

    static func parse(_ bytes: [UInt8]) throws -> [String: [String]] {
        var fields: [String: [String]] = [:]
        var index = 0
        while index < bytes.count {
            guard let end = bytes[index...].firstIndex(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "=") }) else {
                throw Malformed()
            }
            let name = String(decoding: bytes[index..<end], as: UTF8.self)
            if bytes[end] == UInt8(ascii: "=") {
                guard let lineEnd = bytes[end...].firstIndex(of: UInt8(ascii: "\n")) else { throw Malformed() }
                fields[name, default: []].append(String(decoding: bytes[(end + 1)..<lineEnd], as: UTF8.self))
                index = lineEnd + 1
            } else {
                let lengthStart = end + 1
                guard lengthStart + 8 <= bytes.count else { throw Malformed() }
                var length = 0
                for (shift, byte) in bytes[lengthStart..<(lengthStart + 8)].enumerated() { length |= Int(byte) << (8 * shift) }
                let valueStart = lengthStart + 8
                guard valueStart + length < bytes.count else { throw Malformed() }
                fields[name, default: []].append(String(decoding: bytes[valueStart..<(valueStart + length)], as: UTF8.self))
                index = valueStart + length + 1
            }
        }
        return fields
    }
}
