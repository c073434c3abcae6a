import CredentialFiles
import Foundation
@testable import KeyrotCLI
import KeyrotCore
import KeyrotTestSupport
import Logging
import RotationEngine
import Testing

/// A HOCON file's notices reach the log when keyrotd rewrites it: the environment override that
/// would win over the new key as a warning, the secret written double-quoted as a notice.
@Suite("HOCON notices in the log")
struct HOCONNoticeLoggingTests {
    @Test("rewriting a HOCON file logs its override warning and its quoting notice, naming the file, never the secret")
    func noticesLogged() async throws {
        let directory = NSTemporaryDirectory() + "keyrotd-hocon-notice-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/config.hocon"
        let old = Credentials(accessKeyID: try AccessKeyID("AKIAIOSFODNN7EXAMPLE"), secretAccessKey: Secret("wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEYAB"))
        let new = Credentials(accessKeyID: try AccessKeyID("AKIAI44QH8DHBEXAMPLE"), secretAccessKey: Secret("je7MtGbClwBF/2Zp9Utk+h3yCo8nvbEXAMPLEKEY"))
        let text = """
            collector.streams.sink {
              accessKey = \(old.accessKeyID)
              accessKey = ${?COLLECTOR_STREAMS_SINK_AWS_ACCESS_KEY}
              secretKey = \(old.secretAccessKey.revealed())
            }

            """
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
        let recorder = LogRecorder()
        let store = ConfiguredFileStore(files: [CredentialFileSpec(path: path, format: .hocon)], stateDirectory: directory + "/state",
                                        logger: recorder.logger())
        let contents = try await store.read(path: path)
        #expect(recorder.levelled.isEmpty, "reading alone logs nothing")
        try await store.rewrite(path: path, expected: contents.version, replacing: old, with: new)

        let entries = recorder.levelled
        #expect(entries.contains { $0.level == .warning && $0.message.contains("${?COLLECTOR_STREAMS_SINK_AWS_ACCESS_KEY}") && $0.message.contains(path) })
        #expect(entries.contains { $0.level == .notice && $0.message.contains("written double-quoted") })
        #expect(entries.count == 2)
        #expect(!entries.contains { $0.message.contains(new.secretAccessKey.revealed()) || $0.message.contains(old.secretAccessKey.revealed()) })
    }
}
