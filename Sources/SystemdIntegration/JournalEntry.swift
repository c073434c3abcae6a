import Logging

/// The fields of one journal entry, in the order they are sent. Pure, so the mapping from a log
/// call to journal fields is testable without a journald.
public struct JournalEntry: Sendable, Hashable {
    public struct Field: Sendable, Hashable {
        public let name: String
        public let value: String
    }

    public private(set) var fields: [Field] = []

    /// The identifier every entry carries (`SYSLOG_IDENTIFIER=`), as `journalctl -t keyrotd` expects.
    public static let syslogIdentifier = "keyrotd"

    /// Builds the entry for a log call. `metadata` is already merged (handler, provider, call).
    public init(
        level: Logger.Level, message: String, metadata: Logger.Metadata,
        file: String, function: String, line: UInt, error: (any Error)? = nil
    ) {
        append("MESSAGE", message)
        append("PRIORITY", String(JournalEntry.priority(for: level)))
        append("SYSLOG_IDENTIFIER", JournalEntry.syslogIdentifier)
        append("CODE_FILE", file)
        append("CODE_LINE", String(line))
        append("CODE_FUNC", function)
        for key in metadata.keys.sorted() {
            append(JournalFieldName.forMetadataKey(key), metadata[key]!.description)
        }
        if let error {
            append(JournalFieldName.forMetadataKey("error"), String(describing: error))
        }
    }

    /// The value of the first field called `name`.
    public subscript(name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// swift-log level → syslog priority (0 emerg … 7 debug).
    public static func priority(for level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Each field as the bytes `NAME=value`, what `sd_journal_sendv` expects in each iovec
    /// (values may hold newlines: libsystemd switches to the length-prefixed form itself).
    public var encodedFields: [[UInt8]] {
        fields.map { Array("\($0.name)=\($0.value)".utf8) }
    }

    private mutating func append(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }
}
