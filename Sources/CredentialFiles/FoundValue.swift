import KeyrotCore

/// How a value is written in the file, which decides how a new value is encoded.
enum QuoteStyle: Sendable, Equatable {
    /// Unquoted (YAML plain, INI, unquoted env).
    case plain
    /// YAML single quotes: `'` is written `''`.
    case yamlSingle
    /// YAML or JSON double quotes: `\` and `"` are escaped.
    case doubleQuoted
    /// Shell double quotes: `\`, `"`, `$` and backtick are escaped.
    case shellDouble
    /// Shell single quotes: cannot hold `'`.
    case shellSingle
    /// A HOCON unquoted string; the range covers the whole value, so a value unquoted HOCON cannot
    /// hold (AWS secrets have `/` and `+`) is written double-quoted.
    case hoconUnquoted
    /// HOCON `"""` string: no escapes, cannot hold `"""` or end in `"`.
    case hoconTriple

    /// `value` as it must be written between the quotes, or nil when this style cannot hold it.
    func encode(_ value: String) -> String? {
        guard !value.contains(where: \.isNewline) else { return nil }
        switch self {
        case .plain: return value
        case .yamlSingle: return value.replacingAll("'", with: "''")
        case .doubleQuoted: return value.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"")
        case .shellDouble:
            return value.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"")
                .replacingAll("$", with: "\\$").replacingAll("`", with: "\\`")
        case .shellSingle: return value.contains("'") ? nil : value
        case .hoconUnquoted: return HOCONUnquoted.canHold(value) ? value : QuoteStyle.doubleQuoted.encode(value).map { "\"\($0)\"" }
        case .hoconTriple: return value.contains("\"\"\"") || value.hasSuffix("\"") ? nil : value
        }
    }
}

/// One credential value in a file: the byte range of its text (inside any quotes), decoded text, line.
struct FoundValue: Sendable, Equatable {
    let range: Range<Int>
    let style: QuoteStyle
    let line: Int
    let text: String
}

/// An access key id and its secret found together (same mapping, section or file).
struct FoundPair: Sendable, Equatable {
    let id: FoundValue
    let secret: FoundValue
    /// Warnings for the log that do not stop the rotation (HOCON: an environment override).
    var notices: [FileNotice] = []

    /// The pair with its id validated; a value that is not an id is described, never echoed
    /// (it may be the secret, written in the wrong place).
    func located(path: String) throws(CredentialFileError) -> LocatedCredentialPair {
        do {
            return LocatedCredentialPair(accessKeyID: try AccessKeyID(id.text), secretAccessKey: Secret(secret.text), line: id.line)
        } catch {
            throw CredentialFileError(code: .notAnAccessKeyID, path: path, line: id.line,
                                      message: "holds \(error) where the access key id belongs; write the key id there (AKIA or ASIA, then 16 upper-case letters or digits)")
        }
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
