import KeyrotCore
import Yams

/// YAML files (EmrEtlRunner, StorageLoader): mapping keys `access_key_id` / `secret_access_key`,
/// also as Ruby symbols `:access_key_id` / `:secret_access_key`, at any depth.
enum YAMLLocator {
    static let idKeys: Set<String> = ["access_key_id", ":access_key_id"]
    static let secretKeys: Set<String> = ["secret_access_key", ":secret_access_key"]

    static func locate(_ bytes: [UInt8], spec: CredentialFileSpec) throws(CredentialFileError) -> [FoundPair] {
        guard let root = try parse(bytes, path: spec.path) else { return [] }
        let positions = YAMLPositions(bytes)
        var pairs: [FoundPair] = []
        try collect(root, bytes: bytes, positions: positions, path: spec.path, into: &pairs)
        return pairs
    }

    /// The one document of `bytes` (nil when empty); refuses invalid UTF-8, YAML errors and streams
    /// of several documents.
    static func parse(_ bytes: [UInt8], path: String) throws(CredentialFileError) -> Node? {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CredentialFileError(code: .unparsable, path: path, message: "is not valid UTF-8; fix the file's encoding first")
        }
        if let line = YAMLAliasBudget.lineBeyondBudget(bytes) {
            throw CredentialFileError(code: .aliasOrAnchor, path: path, line: line, message: YAMLAliasBudget.refusal)
        }
        var documents: [Node] = []
        do {
            var stream = try compose_all(yaml: text)
            while let document = stream.next() { documents.append(document) }
            if let error = stream.error { throw error }
        } catch {
            try ERBScan.refuseCredentialERB(in: bytes, path: path)
            throw unparsable(error, bytes: bytes, path: path)
        }
        guard documents.count <= 1 else {
            throw CredentialFileError(code: .multiDocument, path: path, line: documents[1].mark?.line,
                                      message: "holds \(documents.count) YAML documents; keyrotd rewrites single-document files only, split the file")
        }
        return documents.first
    }

    private static func unparsable(_ error: any Error, bytes: [UInt8], path: String) -> CredentialFileError {
        var line: Int?
        var problem = "syntax error"
        if let yamlError = error as? YamlError {
            switch yamlError {
            case let .scanner(_, text, mark, _), let .parser(_, text, mark, _), let .composer(_, text, mark, _):
                line = mark.line
                problem = text
            case let .duplicatedKeysInMapping(duplicates, context):
                line = context.mark.line
                problem = "duplicated keys \(duplicates.joined(separator: ", "))"
            default:
                break
            }
        }
        let tabs = LineScanner.lines(of: bytes).contains { $0.end > $0.start && bytes[$0.start] == UInt8(ascii: "\t") }
        let hint = tabs ? "; it is indented with tabs, which YAML forbids: indent with spaces" : "; fix the file first"
        return CredentialFileError(code: .unparsable, path: path, line: line, message: "is not valid YAML (\(problem))\(hint)")
    }

    private static func collect(_ node: Node, bytes: [UInt8], positions: YAMLPositions, path: String, into pairs: inout [FoundPair]) throws(CredentialFileError) {
        switch node {
        case let .mapping(mapping):
            if let pair = try pair(in: mapping, bytes: bytes, positions: positions, path: path) { pairs.append(pair) }
            for (key, value) in mapping {
                try collect(key, bytes: bytes, positions: positions, path: path, into: &pairs)
                try collect(value, bytes: bytes, positions: positions, path: path, into: &pairs)
            }
        case let .sequence(sequence):
            for element in sequence { try collect(element, bytes: bytes, positions: positions, path: path, into: &pairs) }
        default:
            return
        }
    }

    private static func pair(in mapping: Node.Mapping, bytes: [UInt8], positions: YAMLPositions, path: String) throws(CredentialFileError) -> FoundPair? {
        let ids = mapping.filter { idKeys.contains($0.key.scalar?.string ?? "") }
        let secrets = mapping.filter { secretKeys.contains($0.key.scalar?.string ?? "") }
        for found in [ids, secrets] where found.count > 1 {
            let name = found[1].key.scalar?.string ?? ""
            throw CredentialFileError(code: .ambiguous, path: path, line: found[1].key.mark?.line,
                                      message: "\(name) appears \(found.count) times in one mapping; keep one")
        }
        let inFlow = isFlow(mapping, bytes: bytes, positions: positions)
        switch (ids.first, secrets.first) {
        case (nil, nil):
            return nil
        case let (id?, secret?):
            return FoundPair(id: try value(id, bytes: bytes, positions: positions, inFlow: inFlow, path: path),
                             secret: try value(secret, bytes: bytes, positions: positions, inFlow: inFlow, path: path))
        case let (id?, nil):
            throw CredentialFileError(code: .incompletePair, path: path, line: id.key.mark?.line,
                                      message: "\(id.key.scalar?.string ?? "") has no secret_access_key next to it; add it")
        case let (nil, secret?):
            throw CredentialFileError(code: .incompletePair, path: path, line: secret.key.mark?.line,
                                      message: "\(secret.key.scalar?.string ?? "") has no access_key_id next to it; add it")
        }
    }

    private static func value(_ entry: (key: Node, value: Node), bytes: [UInt8], positions: YAMLPositions, inFlow: Bool, path: String) throws(CredentialFileError) -> FoundValue {
        let name = entry.key.scalar?.string ?? ""
        let keyLine = entry.key.mark?.line
        guard let scalar = entry.value.scalar else {
            throw CredentialFileError(code: .unsupportedValue, path: path, line: keyLine,
                                      message: "\(name) is not a single value; write the key as a plain or quoted string")
        }
        guard let keyMark = entry.key.mark, let valueMark = scalar.mark,
              let keyStart = positions.offset(line: keyMark.line, column: keyMark.column),
              let start = positions.offset(line: valueMark.line, column: valueMark.column) else {
            throw CredentialFileError(code: .verificationFailed, path: path, line: keyLine,
                                      message: "\(name): the parser gave no usable position; edit this value by hand")
        }
        guard start > keyStart else {
            throw CredentialFileError(code: .aliasOrAnchor, path: path, line: keyLine,
                                      message: "\(name) is an alias (*name); write the value itself here")
        }
        if hasProperty(before: start, after: keyStart, in: bytes) {
            throw CredentialFileError(code: .aliasOrAnchor, path: path, line: valueMark.line,
                                      message: "\(name) carries an anchor or tag (&name / !tag) or a comment before its value; write the value right after the key")
        }
        if start < bytes.count, bytes[start] != UInt8(ascii: "&"), bytes[start] != UInt8(ascii: "!") {
            try ValueScreen.check(scalar.string, key: name, line: valueMark.line, path: path)
        }
        if scalar.string.isEmpty, scalar.style == .plain {
            throw CredentialFileError(code: .unsupportedValue, path: path, line: keyLine,
                                      message: "\(name) has no value; write the key on the same line")
        }
        do {
            let (range, style) = try YAMLScalarExtent.find(in: bytes, at: start, lineEnd: positions.lineEnd(from: start), scalar: scalar, inFlow: inFlow)
            return FoundValue(range: range, style: style, line: valueMark.line, text: scalar.string)
        } catch .anchorOrTag {
            throw CredentialFileError(code: .aliasOrAnchor, path: path, line: valueMark.line,
                                      message: "\(name) carries an anchor or tag (&name / !tag); remove it so the value stands alone")
        } catch .multiline {
            throw CredentialFileError(code: .multiline, path: path, line: valueMark.line,
                                      message: "\(name) is spread over several lines (or written in a way keyrotd does not rewrite); put it on one line")
        } catch {
            throw CredentialFileError(code: .unsupportedValue, path: path, line: valueMark.line,
                                      message: "\(name) uses escapes keyrotd does not rewrite; write it as a plain or simply quoted string")
        }
    }

    /// Whether `mapping` is written in flow style (`{...}`); Yams reports the style of every
    /// mapping as `.any`, so the text at its start decides.
    private static func isFlow(_ mapping: Node.Mapping, bytes: [UInt8], positions: YAMLPositions) -> Bool {
        guard let mark = mapping.mark, let start = positions.offset(line: mark.line, column: mark.column), start < bytes.count else { return false }
        return bytes[start] == UInt8(ascii: "{")
    }

    /// Whether something other than blanks and line breaks sits between the key's `:` and the value
    /// starting at `start` (an anchor or tag that libyaml folded into the value's position).
    private static func hasProperty(before start: Int, after keyStart: Int, in bytes: [UInt8]) -> Bool {
        var index = start - 1
        while index > keyStart, LineScanner.isBlank(bytes[index]) || bytes[index] == UInt8(ascii: "\n") || bytes[index] == UInt8(ascii: "\r") {
            index -= 1
        }
        return index > keyStart && bytes[index] != UInt8(ascii: ":")
    }

    /// Checks that `new` parses to `old`'s document with only the scalars starting at the positions
    /// in `replaced` (line and column) changed to the given texts.
    static func verify(old: [UInt8], new: [UInt8], replaced: [Int: String], path: String) throws(CredentialFileError) {
        let before = try parse(old, path: path)
        let after = try parse(new, path: path)
        let positions = YAMLPositions(old)
        guard let before, let after, same(before, after, replaced: replaced, positions: positions) else {
            throw CredentialFileError(code: .verificationFailed, path: path,
                                      message: "the edited YAML does not parse to the same document with only the key changed; nothing was written")
        }
    }

    private static func same(_ old: Node, _ new: Node, replaced: [Int: String], positions: YAMLPositions) -> Bool {
        switch (old, new) {
        case let (.scalar(a), .scalar(b)):
            if let expected = replacement(for: a, in: replaced, positions: positions) {
                // A new plain value must still read as a string (not a number, bool or null).
                return b.string == expected && a.style == b.style
                    && (b.style != .plain || Resolver.default.resolveTag(of: .scalar(b)) == Tag.Name.str)
            }
            return a.string == b.string && a.style == b.style && a.tag == b.tag
        case let (.mapping(a), .mapping(b)):
            guard a.count == b.count else { return false }
            return zip(a, b).allSatisfy { same($0.key, $1.key, replaced: replaced, positions: positions) && same($0.value, $1.value, replaced: replaced, positions: positions) }
        case let (.sequence(a), .sequence(b)):
            guard a.count == b.count else { return false }
            return zip(a, b).allSatisfy { same($0, $1, replaced: replaced, positions: positions) }
        default:
            return false
        }
    }

    /// The new text for `scalar` when its text (inside any quotes) starts at a replaced offset.
    private static func replacement(for scalar: Node.Scalar, in replaced: [Int: String], positions: YAMLPositions) -> String? {
        guard let mark = scalar.mark, let start = positions.offset(line: mark.line, column: mark.column) else { return nil }
        let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
        return replaced[quoted ? start + 1 : start]
    }
}

