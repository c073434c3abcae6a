internal import CSystemd
import Logging

/// A swift-log handler that writes structured entries to the systemd journal with
/// `sd_journal_sendv`: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER=keyrotd, CODE_FILE/LINE/FUNC, and every
/// metadata key as a field (see ``JournalFieldName``). When journald refuses an entry, the entry
/// goes to stderr instead, with the reason.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    private let fallback: StderrLogHandler
    private let sender: @Sendable (JournalEntry) -> Int32

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(label: label, metadataProvider: metadataProvider, fallback: StderrLogHandler(label: label),
                  sender: JournalLogHandler.send)
    }

    /// - Parameters:
    ///   - fallback: where an entry goes when journald refuses it.
    ///   - sender: delivers an entry, returning 0 or a negative errno (tests replace `sd_journal_sendv`).
    init(label: String, metadataProvider: Logger.MetadataProvider?, fallback: StderrLogHandler,
         sender: @escaping @Sendable (JournalEntry) -> Int32) {
        self.metadataProvider = metadataProvider
        self.fallback = fallback
        self.sender = sender
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = mergedMetadata(event.metadata)
        let entry = JournalEntry(
            level: event.level, message: event.message.description, metadata: merged,
            file: event.file, function: event.function, line: event.line, error: event.error)
        let result = sender(entry)
        if result < 0 {
            var note = event
            note.metadata = merged.merging(["journal_errno": "\(-result)"]) { $1 }
            fallback.log(event: note)
        }
    }

    /// Sends the entry; returns what `sd_journal_sendv` returned (0 or a negative errno).
    static func send(_ entry: JournalEntry) -> Int32 {
        let encoded = entry.encodedFields
        let bytes = encoded.flatMap { $0 }
        return bytes.withUnsafeBytes { buffer -> Int32 in
            var vectors: [iovec] = []
            vectors.reserveCapacity(encoded.count)
            var offset = 0
            for field in encoded {
                let start = UnsafeMutableRawPointer(mutating: buffer.baseAddress!.advanced(by: offset))
                vectors.append(iovec(iov_base: start, iov_len: field.count))
                offset += field.count
            }
            return sd_journal_sendv(vectors, Int32(vectors.count))
        }
    }

    private func mergedMetadata(_ call: Logger.Metadata?) -> Logger.Metadata {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let call { merged.merge(call) { $1 } }
        return merged
    }
}
