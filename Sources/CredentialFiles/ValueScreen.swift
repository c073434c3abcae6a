/// The refusals every format shares: values that are not a literal key but a reference to one.
enum ValueScreen {
    /// Throws when `value` (decoded, found under `key` at `line`) must not be rewritten.
    static func check(_ value: String, key: String, line: Int, path: String) throws(CredentialFileError) {
        if value.contains("<%") {
            let variables = erbEnvironmentVariables(in: value)
            let reads = variables.isEmpty
                ? "is ERB (it is computed when the file is rendered)"
                : "is ERB that reads the environment variable \(variables.joined(separator: ", "))"
            let remedy = variables.isEmpty
                ? "rotate where the ERB gets its value from (for an environment variable: add an `env` file entry for the file that sets it)"
                : "add an `env` file entry (format: env) for the file that sets \(variables.joined(separator: ", ")) instead of this file"
            throw CredentialFileError(code: .erbTemplate, path: path, line: line, message: "\(key) \(reads); \(remedy)")
        }
        if value.contains("${") {
            throw CredentialFileError(code: .substitution, path: path, line: line,
                                      message: "\(key) is a ${...} substitution; rotate the variable it refers to (an `env` file entry), not this file")
        }
        if value.contains("{{") {
            throw CredentialFileError(code: .placeholder, path: path, line: line,
                                      message: "\(key) is a {{...}} template placeholder; configure the rendered file or the template's data source instead")
        }
        let special = value.trimmedOfSpaces.lowercased()
        if ["iam", "env", "default"].contains(special) {
            throw CredentialFileError(code: .specialValue, path: path, line: line,
                                      message: "\(key) is the special value '\(special)' (credentials come from the \(describe(special))); there is no static key to rotate in this file, remove it from keyrotd's files:")
        }
    }

    private static func describe(_ special: String) -> String {
        switch special {
        case "iam": return "instance profile"
        case "env": return "environment variables AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY"
        default: return "default AWS provider chain"
        }
    }

    /// The variable names in `ENV['X']`, `ENV["X"]`, `ENV.fetch('X'...)` inside an ERB value.
    static func erbEnvironmentVariables(in value: String) -> [String] {
        var names: [String] = []
        var rest = Substring(value)
        while let env = rest.firstRange(of: "ENV") {
            rest = rest[env.upperBound...]
            var cursor = rest
            if cursor.hasPrefix("[") {
                cursor = cursor.dropFirst()
            } else if cursor.hasPrefix(".fetch(") {
                cursor = cursor.dropFirst(7)
            } else {
                continue
            }
            cursor = cursor.drop(while: { $0 == " " })
            guard let quote = cursor.first, quote == "'" || quote == "\"" else { continue }
            let name = cursor.dropFirst().prefix(while: { $0 != quote })
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                names.append(String(name))
            }
        }
        return names
    }
}

extension StringProtocol {
    var trimmedOfSpaces: String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" || last == "\r" { text.removeLast() }
        return String(text)
    }
}
