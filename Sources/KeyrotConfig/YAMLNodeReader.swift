import Yams

/// Typed access to the nodes of keyrotd.yml; every failure is a ``ConfigurationError`` at the node's line.
struct YAMLNodeReader {
    let configPath: String

    /// An error placed at `mark` (line and column) in the configuration file.
    func error(_ code: ConfigurationError.Code, at mark: Mark?, column withColumn: Bool = true,
               _ message: String) -> ConfigurationError {
        ConfigurationError(code, configPath: configPath, line: mark?.line,
                           column: withColumn ? mark?.column : nil, message: message)
    }

    /// `node` as a mapping whose keys are all in `allowed`; `section` names it in messages.
    func mapping(_ node: Node, section: String, allowed: [String]) throws(ConfigurationError) -> CheckedMapping {
        guard case .mapping(let mapping) = node else {
            throw error(.wrongType, at: node.mark, "\(section) must be a mapping of `key: value` lines, "
                + "found \(kind(of: node)); valid keys there: \(allowed.joined(separator: ", "))")
        }
        var entries: [String: (key: Node, value: Node)] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                throw error(.wrongType, at: key.mark, "a key in \(section) must be a plain word, found \(kind(of: key))")
            }
            guard allowed.contains(scalar.string) else {
                throw error(.unknownKey, at: key.mark, "unknown key `\(scalar.string)` in \(section); "
                    + "valid keys there: \(allowed.joined(separator: ", ")). Fix its spelling or remove it")
            }
            entries[scalar.string] = (key, value)
        }
        return CheckedMapping(node: node, section: section, entries: entries)
    }

    /// The value of `key`, or a missing-key error at the mapping's line.
    func required(_ key: String, in mapping: CheckedMapping, hint: String) throws(ConfigurationError) -> Node {
        guard let value = mapping[key] else {
            throw error(.missingKey, at: mapping.node.mark, column: false,
                        "\(mapping.section) has no `\(key)`; add it (\(hint))")
        }
        return value
    }

    /// A scalar written as text; numbers and booleans are taken as they were written.
    func string(_ node: Node, key: String) throws(ConfigurationError) -> String {
        guard case .scalar(let scalar) = node, !isNull(node) else {
            throw error(.wrongType, at: node.mark, "`\(key)` must be a single value, found \(kind(of: node))")
        }
        return scalar.string
    }

    func bool(_ node: Node, key: String) throws(ConfigurationError) -> Bool {
        guard let value = node.bool else {
            throw error(.wrongType, at: node.mark, "`\(key)` must be true or false, found \(kind(of: node))")
        }
        return value
    }

    /// A whole number within `range`.
    func integer(_ node: Node, key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        let text = try string(node, key: key)
        guard let value = Int(text), range.contains(value) else {
            throw error(.invalidValue, at: node.mark, "`\(key): \(text)` must be a whole number from "
                + "\(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A duration such as `90d`; zero only when `allowZero`.
    func duration(_ node: Node, key: String, allowZero: Bool) throws(ConfigurationError) -> Duration {
        let text = try string(node, key: key)
        guard let duration = ConfigDuration.parse(text) else {
            throw error(.invalidDuration, at: node.mark, "`\(key): \(text)` is not a duration; write a whole "
                + "number followed by one unit, s, m, h or d (for example 90d, 1h, 2m)")
        }
        guard duration <= ConfigDuration.maximum else {
            throw error(.invalidDuration, at: node.mark, "`\(key): \(text)` is longer than keyrotd can count with "
                + "(at most \(ConfigDuration.maximumDays)d, ten years); give a realistic duration such as 90d")
        }
        guard allowZero || duration > .zero else {
            throw error(.invalidDuration, at: node.mark, "`\(key)` must be longer than zero; give it a positive "
                + "duration such as 1h")
        }
        return duration
    }

    /// An absolute path (starting with `/`), without NUL bytes (the system would cut the path at
    /// the first, so the file used would not be the one written).
    func absolutePath(_ node: Node, key: String) throws(ConfigurationError) -> String {
        let path = try string(node, key: key)
        guard !path.utf8.contains(0) else {
            throw error(.invalidValue, at: node.mark, "`\(key)` holds a NUL byte (\\0); a path cannot contain one, "
                + "write the path without it")
        }
        guard path.hasPrefix("/") else {
            throw error(.relativePath, at: node.mark, "`\(key): \(path)` is a relative path; keyrotd needs "
                + "absolute paths (starting with /), since it does not run from a fixed directory")
        }
        return path
    }

    /// True for an empty value, `~` or `null` (YAML's null words, unquoted), or a `!!null` tag.
    /// Read from the text rather than from a resolved tag: keyrotd.yml is composed without Yams'
    /// regular-expression resolver (ConfigurationReader.resolver).
    func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        if node.tag.rawValue == Tag.Name.null.rawValue { return true }
        return scalar.style == .plain && Self.nullWords.contains(scalar.string)
    }

    /// The plain scalars YAML 1.1 and 1.2 read as null.
    private static let nullWords: Set<String> = ["", "~", "null", "Null", "NULL"]

    /// A few words saying what a node is, for "found ..." in messages.
    func kind(of node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            return isNull(node) ? "nothing" : "`\(scalar.string)`"
        }
    }
}

/// A mapping whose keys were checked against the allowed ones.
struct CheckedMapping {
    let node: Node
    /// How messages name this mapping: "the top level", "`aws`", "files entry 2".
    let section: String
    let entries: [String: (key: Node, value: Node)]

    subscript(key: String) -> Node? { entries[key]?.value }

    /// Where `key` itself is written, for errors about the key rather than its value.
    func keyNode(_ key: String) -> Node? { entries[key]?.key }
}
