import Logging
import Synchronization

/// A swift-log handler that keeps every message, for tests that check what reaches the log.
public final class LogRecorder: Sendable {
    private let lines = Mutex<[(message: String, metadata: String)]>([])

    public init() {}

    /// Every message, in order.
    public var messages: [String] { lines.withLock { $0.map(\.message) } }
    /// Every message with its metadata (the logger's and the call's) rendered after it.
    public var entries: [String] { lines.withLock { $0.map { "\($0.message) \($0.metadata)" } } }

    public func logger() -> Logger {
        Logger(label: "test") { _ in Handler(recorder: self) }
    }

    fileprivate func append(_ message: String, metadata: String) {
        lines.withLock { $0.append((message, metadata)) }
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
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            recorder.append(event.message.description, metadata: merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
    }
}
