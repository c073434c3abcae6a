import Logging
import Synchronization

/// A swift-log handler that keeps every message, for tests that check what reaches the log.
final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])
    private let levelled = Mutex<[(level: Logger.Level, message: String)]>([])

    var messages: [String] { lines.withLock { $0 } }
    /// Every message with its level.
    var entries: [(level: Logger.Level, message: String)] { levelled.withLock { $0 } }

    func logger() -> Logger {
        Logger(label: "test") { _ in Handler(recorder: self) }
    }

    fileprivate func append(_ line: String, level: Logger.Level) {
        lines.withLock { $0.append(line) }
        levelled.withLock { $0.append((level, line)) }
    }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            recorder.append(event.message.description, level: event.level)
        }
    }
}
