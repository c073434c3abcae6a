import KeyrotCore

/// `KEY=VALUE` files (systemd `EnvironmentFile=`, shell files): optional `export `, optional quotes.
enum EnvFileLocator {
    struct Assignment {
        let name: String
        let value: FoundValue
    }

    static func locate(_ bytes: [UInt8], spec: CredentialFileSpec) throws(CredentialFileError) -> [FoundPair] {
        var ids: [FoundValue] = []
        var secrets: [FoundValue] = []
        for line in LineScanner.lines(of: bytes) {
            guard let assignment = try parse(line, in: bytes, path: spec.path) else { continue }
            if assignment.name == spec.accessKeyIDVariable { ids.append(assignment.value) }
            if assignment.name == spec.secretAccessKeyVariable { secrets.append(assignment.value) }
        }
        for (name, values) in [(spec.accessKeyIDVariable, ids), (spec.secretAccessKeyVariable, secrets)] where values.count > 1 {
            throw CredentialFileError(code: .ambiguous, path: spec.path, line: values[1].line,
                                      message: "\(name) is assigned \(values.count) times (lines \(values.map { String($0.line) }.joined(separator: ", "))); keep one assignment")
        }
        switch (ids.first, secrets.first) {
        case (nil, nil):
            return []
        case let (id?, secret?):
            for (name, value) in [(spec.accessKeyIDVariable, id), (spec.secretAccessKeyVariable, secret)] {
                try ValueScreen.check(value.text, key: name, line: value.line, path: spec.path)
            }
            return [FoundPair(id: id, secret: secret)]
        case let (id?, nil):
            throw CredentialFileError(code: .incompletePair, path: spec.path, line: id.line,
                                      message: "\(spec.accessKeyIDVariable) is set but \(spec.secretAccessKeyVariable) is not; set both in this file")
        case let (nil, secret?):
            throw CredentialFileError(code: .incompletePair, path: spec.path, line: secret.line,
                                      message: "\(spec.secretAccessKeyVariable) is set but \(spec.accessKeyIDVariable) is not; set both in this file")
        }
    }

    /// The assignment on `line`, nil for blank lines, comments and other lines.
    private static func parse(_ line: TextLine, in bytes: [UInt8], path: String) throws(CredentialFileError) -> Assignment? {
        var cursor = line.start
        while cursor < line.end, LineScanner.isBlank(bytes[cursor]) { cursor += 1 }
        if cursor < line.end, bytes[cursor] == UInt8(ascii: "#") { return nil }
        let exportWord = Array("export".utf8)
        if line.end - cursor > exportWord.count, Array(bytes[cursor..<cursor + exportWord.count]) == exportWord,
           LineScanner.isBlank(bytes[cursor + exportWord.count]) {
            cursor += exportWord.count
            while cursor < line.end, LineScanner.isBlank(bytes[cursor]) { cursor += 1 }
        }
        let nameStart = cursor
        while cursor < line.end, isNameByte(bytes[cursor]) { cursor += 1 }
        guard cursor > nameStart else { return nil }
        let name = LineScanner.text(bytes, nameStart..<cursor)
        while cursor < line.end, LineScanner.isBlank(bytes[cursor]) { cursor += 1 }
        guard cursor < line.end, bytes[cursor] == UInt8(ascii: "=") else { return nil }
        cursor += 1
        while cursor < line.end, LineScanner.isBlank(bytes[cursor]) { cursor += 1 }
        let value = try parseValue(from: cursor, line: line, bytes: bytes, name: name, path: path)
        return Assignment(name: name, value: value)
    }

    private static func parseValue(from start: Int, line: TextLine, bytes: [UInt8], name: String, path: String) throws(CredentialFileError) -> FoundValue {
        let multiline = CredentialFileError(code: .multiline, path: path, line: line.number,
                                            message: "\(name) is spread over several lines; put the value on one line")
        guard start < line.end else { return FoundValue(range: start..<start, style: .plain, line: line.number, text: "") }
        let quote = bytes[start]
        if quote == UInt8(ascii: "'") {
            guard let close = bytes[(start + 1)..<line.end].firstIndex(of: quote) else { throw multiline }
            return FoundValue(range: (start + 1)..<close, style: .shellSingle, line: line.number,
                              text: LineScanner.text(bytes, (start + 1)..<close))
        }
        if quote == UInt8(ascii: "\"") {
            var cursor = start + 1
            var text: [UInt8] = []
            while cursor < line.end, bytes[cursor] != quote {
                if bytes[cursor] == UInt8(ascii: "\\"), cursor + 1 < line.end, Self.shellEscapable.contains(bytes[cursor + 1]) {
                    cursor += 1
                } else if bytes[cursor] == UInt8(ascii: "$") {
                    throw CredentialFileError(code: .substitution, path: path, line: line.number,
                                              message: "\(name) uses a $ substitution; rotate the variable it refers to instead")
                }
                text.append(bytes[cursor])
                cursor += 1
            }
            guard cursor < line.end else { throw multiline }
            return FoundValue(range: (start + 1)..<cursor, style: .shellDouble, line: line.number,
                              text: String(decoding: text, as: UTF8.self))
        }
        var end = start
        while end < line.end, !(bytes[end] == UInt8(ascii: "#") && LineScanner.isBlank(bytes[end - 1])) { end += 1 }
        while end > start, LineScanner.isBlank(bytes[end - 1]) { end -= 1 }
        let text = LineScanner.text(bytes, start..<end)
        if text.hasSuffix("\\") { throw multiline }
        if text.contains("$"), !text.contains("${") {
            throw CredentialFileError(code: .substitution, path: path, line: line.number,
                                      message: "\(name) uses a $ substitution; rotate the variable it refers to instead")
        }
        return FoundValue(range: start..<end, style: .plain, line: line.number, text: text)
    }

    /// The characters a backslash escapes inside shell double quotes.
    private static let shellEscapable: Set<UInt8> = [UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "$"), UInt8(ascii: "`")]

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
    }
}
