import FoundationEssentials
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler for people reading a terminal: one line per entry,
/// `2026-11-29T11:14:29.123Z warning keyrotd: message key_id=AKIA… phase=overlap`.
public struct StderrLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    private let label: String
    private let now: @Sendable () -> Date
    private let write: @Sendable (String) -> Void

    /// - Parameters:
    ///   - now: the clock for timestamps (tests pass a fixed one).
    ///   - write: where each finished line (with its newline) goes; stderr by default.
    public init(
        label: String, metadataProvider: Logger.MetadataProvider? = nil,
        now: @escaping @Sendable () -> Date = Date.init,
        write: @escaping @Sendable (String) -> Void = StderrLogHandler.writeToStandardError
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.now = now
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let call = event.metadata { merged.merge(call) { $1 } }
        var line = "\(timestamp()) \(event.level) \(label): \(Self.escaped(event.message.description))"
        for key in merged.keys.sorted() {
            line += " \(key)=\(Self.quotedIfNeeded(Self.text(of: merged[key]!)))"
        }
        if let error = event.error {
            line += " error=\(Self.quotedIfNeeded(String(describing: error)))"
        }
        write(line + "\n")
    }

    /// Writes the text to file descriptor 2 in one call, so lines from several threads do not mix.
    public static func writeToStandardError(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { return }
            offset += written
        }
    }

    private func timestamp() -> String {
        now().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// A value as a reader wants it: a list as `[a,b]` and a dictionary as `{k:v}`, not as
    /// swift-log's description, which quotes each element and would then be quoted again.
    static func text(of value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array(let elements): "[" + elements.map(text(of:)).joined(separator: ",") + "]"
        case .dictionary(let entries):
            "{" + entries.keys.sorted().map { "\($0):\(text(of: entries[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    /// Keeps an entry on one line: newlines and other control characters are shown escaped.
    static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.properties.generalCategory == .control:
                result += "\\u{\(String(scalar.value, radix: 16))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Values with spaces, quotes or `=` are quoted so each `key=value` stays readable.
    static func quotedIfNeeded(_ value: String) -> String {
        let plain = escaped(value)
        let needsQuotes = plain.isEmpty || plain.contains { $0 == " " || $0 == "\"" || $0 == "=" }
        guard needsQuotes else { return plain }
        return "\"" + plain.replacing("\"", with: "\\\"") + "\""
    }
}
