/// Turns swift-log metadata keys into journal field names that journald accepts.
///
/// journald silently drops fields whose names are not `[A-Z0-9_]`, start with `_` or a digit,
/// or are longer than 64 characters (systemd.journal-fields(7)). Our fields carry the
/// `KEYROTD_` prefix so they never clash with trusted or well-known fields; the well-known ones a
/// log call may set on purpose (``passThrough``) keep their names.
public enum JournalFieldName {
    /// The prefix of every keyrotd-specific field.
    public static let prefix = "KEYROTD_"

    /// Journal fields a log call may set through metadata under their own name.
    public static let passThrough: Set<String> = ["MESSAGE_ID", "ERRNO", "DOCUMENTATION"]

    /// The longest field name journald accepts.
    public static let maximumLength = 64

    /// `key_id` → `KEYROTD_KEY_ID`, `message_id` → `MESSAGE_ID`, `new-key.id` → `KEYROTD_NEW_KEY_ID`.
    public static func forMetadataKey(_ key: String) -> String {
        var name = ""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "a"..."z": name.unicodeScalars.append(Unicode.Scalar(scalar.value - 32)!)
            case "A"..."Z", "0"..."9", "_": name.unicodeScalars.append(scalar)
            default: name.append("_")
            }
        }
        if passThrough.contains(name) { return name }
        while name.hasPrefix("_") { name.removeFirst() }
        if !name.hasPrefix(prefix) { name = prefix + name }
        return String(name.prefix(maximumLength))
    }

    /// Whether journald accepts `name` as a field name set by a client.
    public static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.count <= maximumLength else { return false }
        guard first != "_", !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}
