/// The bound on YAML alias work, checked on the text before it is parsed.
///
/// An alias (`*name`) shares the anchored node wherever it is used, so a few lines of anchors and
/// aliases can stand for billions of nodes (the "billion laughs"). Parsing is not the cost; using
/// the tree is: Yams hashes every mapping key whole while composing (an alias as a key is hashed
/// expanded), and every walk visits each use. With at most ``maximumAliases`` aliases, nesting can
/// multiply the file's nodes by at most about 3^(10/3) ≈ 40, so all that work stays a small multiple
/// of a bounded file. Credential files and keyrotd.yml need no alias or a few (`<<: *defaults`).
///
/// The count is conservative: every `*` that could start an alias (at the start of the text or
/// after anything but a letter, a digit or another `*`) counts, also inside quotes and comments, so
/// no alias is missed and a rare `*` in text costs at most a refusal with a clear message.
public enum YAMLAliasBudget {
    public static let maximumAliases = 10

    /// The 1-based line of the first alias beyond the budget, or nil when the text is within it.
    public static func lineBeyondBudget(_ bytes: [UInt8]) -> Int? {
        var count = 0
        var line = 1
        for index in bytes.indices {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") { line += 1 }
            guard byte == UInt8(ascii: "*"), index + 1 < bytes.count, startsName(bytes[index + 1]) else { continue }
            if index > 0, isWordOrStar(bytes[index - 1]) { continue }
            count += 1
            if count > maximumAliases { return line }
        }
        return nil
    }

    /// Whether `byte` can follow `*` in an alias: anything but a blank, a line break or a flow indicator.
    private static func startsName(_ byte: UInt8) -> Bool {
        !" \t\r\n,[]{}".utf8.contains(byte)
    }

    private static func isWordOrStar(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "*") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
    }

    /// "uses more than 10 YAML aliases (*name)...", for both readers' messages.
    public static var refusal: String {
        "uses more than \(maximumAliases) YAML aliases (*name, counted before parsing, also in quotes and comments); keyrotd refuses files whose aliases could multiply the work of reading them (an alias bomb): write the values out instead of aliasing them"
    }
}
