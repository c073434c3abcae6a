/// What a HOCON setting is set to, as far as rotating a key is concerned.
enum HOCONValue: Sendable, Equatable {
    /// One quoted, triple-quoted or unquoted string and nothing else.
    case string(FoundValue)
    /// `${NAME}` (required) or `${?NAME}` (optional) and nothing else.
    case substitution(name: String, optional: Bool)
    /// A `{{name}}` template placeholder (the file is a template, not yet valid HOCON).
    case placeholder
    case object
    case array
    /// `include "file"` merged into the object at the setting's path.
    case include(String)
    /// Anything else: numbers, booleans, concatenations of several pieces.
    case other(String)
}

/// One `path = value` of a HOCON file (or one `include`), in file order. Objects are flattened:
/// `aws { accessKey = x }` and `aws.accessKey = x` both give the path `["aws", "accessKey"]`;
/// array elements get a `[n]` component.
struct HOCONSetting: Sendable, Equatable {
    let path: [String]
    let value: HOCONValue
    /// 1-based line of the value and its byte offset.
    let line: Int
    let offset: Int
    /// Set with `+=` (appends to an array).
    let appends: Bool
}

struct HOCONSyntaxError: Error {
    let line: Int
    let problem: String
}

/// A HOCON file as its flat list of settings. Reads the syntax the Lightbend config library reads
/// (BOM, CRLF, `#` and `//` comments, `=`/`:`/`+=` or no separator before `{`, quoted, unquoted and
/// triple-quoted strings, dotted keys, substitutions, includes, arrays, optional root braces,
/// commas or newlines between fields), without resolving substitutions or includes.
struct HOCONDocument {
    let settings: [HOCONSetting]

    static func parse(_ bytes: [UInt8]) throws(HOCONSyntaxError) -> HOCONDocument {
        var parser = HOCONParser(bytes)
        try parser.parseDocument()
        return HOCONDocument(settings: parser.settings)
    }

    /// The components of a dotted HOCON path such as `aws.accessKey` or `a."b.c"`, nil if it is not one.
    static func path(_ text: String) -> [String]? {
        var parser = HOCONParser(Array(text.utf8))
        guard let path = try? parser.parseKey(), !path.isEmpty, parser.atEnd else { return nil }
        return path
    }
}

private struct HOCONParser {
    let bytes: [UInt8]
    var index: Int
    var settings: [HOCONSetting] = []
    private let newlineOffsets: [Int]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        newlineOffsets = bytes.indices.filter { bytes[$0] == UInt8(ascii: "\n") }
    }

    var atEnd: Bool { index >= bytes.count }

    private func peek(_ offset: Int) -> UInt8? { offset < bytes.count ? bytes[offset] : nil }
    private var current: UInt8? { peek(index) }
    private func isAt(_ text: String) -> Bool { bytes[index...].starts(with: text.utf8) }

    func line(of offset: Int) -> Int {
        var low = 0, high = newlineOffsets.count
        while low < high {
            let middle = (low + high) / 2
            if newlineOffsets[middle] < offset { low = middle + 1 } else { high = middle }
        }
        return low + 1
    }

    private func error(_ problem: String, at offset: Int? = nil) -> HOCONSyntaxError {
        HOCONSyntaxError(line: line(of: offset ?? index), problem: problem)
    }

    /// Characters an unquoted string or key cannot hold (besides whitespace and `//`).
    private static let forbidden = Set("$\"{}[]:=,+#`^?!@*&\\".utf8)

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == 0x0B || byte == 0x0C
    }

    private func isUnquotedByte(at offset: Int) -> Bool {
        guard let byte = peek(offset), !Self.forbidden.contains(byte), !Self.isSpace(byte), byte != UInt8(ascii: "\n") else { return false }
        return !(byte == UInt8(ascii: "/") && self.peek(offset + 1) == UInt8(ascii: "/"))
    }

    private var atComment: Bool { current == UInt8(ascii: "#") || isAt("//") }

    /// Skips blanks and comments, and newlines too when `newlines` is set.
    private mutating func skipBlanks(newlines: Bool) {
        while let byte = current {
            if Self.isSpace(byte) || (newlines && byte == UInt8(ascii: "\n")) {
                index += 1
            } else if atComment {
                while let byte = current, byte != UInt8(ascii: "\n") { index += 1 }
            } else {
                return
            }
        }
    }

    mutating func parseDocument() throws(HOCONSyntaxError) {
        skipBlanks(newlines: true)
        if current == UInt8(ascii: "{") {
            index += 1
            try parseObjectBody(path: [], closing: UInt8(ascii: "}"))
            skipBlanks(newlines: true)
            guard atEnd else { throw error("text after the root object's closing brace") }
        } else {
            try parseObjectBody(path: [], closing: nil)
        }
    }

    private mutating func parseObjectBody(path: [String], closing: UInt8?) throws(HOCONSyntaxError) {
        let opened = index
        while true {
            skipBlanks(newlines: true)
            guard let byte = current else {
                if closing != nil { throw error("the object opened here is not closed with }", at: opened) }
                return
            }
            if byte == closing {
                index += 1
                return
            }
            if try parseInclude(path: path) == false {
                let keyStart = index
                let key = try parseKey()
                guard !key.isEmpty else { throw error("expected a key, found '\(Character(Unicode.Scalar(byte)))'", at: keyStart) }
                skipBlanks(newlines: false)
                var appends = false
                if current == UInt8(ascii: "=") || current == UInt8(ascii: ":") {
                    index += 1
                } else if isAt("+=") {
                    index += 2
                    appends = true
                } else if current != UInt8(ascii: "{") {
                    throw error("expected =, : or { after the key \(key.joined(separator: "."))")
                }
                skipBlanks(newlines: true)
                try parseValue(path: path + key, appends: appends)
            }
            skipBlanks(newlines: false)
            if current == UInt8(ascii: ",") {
                index += 1
            } else if let next = current, next != UInt8(ascii: "\n"), next != closing {
                throw error("expected a new line or a comma after a field")
            }
        }
    }

    /// `include "x"` / `include required(file("x"))`: records it and returns true; false when the
    /// field does not start with the `include` keyword.
    private mutating func parseInclude(path: [String]) throws(HOCONSyntaxError) -> Bool {
        guard isAt("include"), let after = peek(index + 7), Self.isSpace(after) else { return false }
        var cursor = index + 7
        while let byte = peek(cursor), Self.isSpace(byte) { cursor += 1 }
        let rest = bytes[min(cursor, bytes.count)...]
        guard rest.first == UInt8(ascii: "\"") || ["required(", "file(", "url(", "classpath("].contains(where: { rest.starts(with: $0.utf8) })
        else { return false }
        let start = index
        while let byte = peek(cursor), byte != UInt8(ascii: "\"") {
            guard byte != UInt8(ascii: "\n") else { throw error("include without a quoted file name") }
            cursor += 1
        }
        index = cursor
        let name = try parseQuoted()
        while current == UInt8(ascii: ")") { index += 1 }
        settings.append(HOCONSetting(path: path, value: .include(name.text), line: line(of: start), offset: start, appends: false))
        return true
    }

    /// A key: quoted and unquoted pieces, split into components at unquoted dots.
    mutating func parseKey() throws(HOCONSyntaxError) -> [String] {
        var components: [String] = []
        var component: [UInt8] = []
        var started = false
        while let byte = current {
            if byte == UInt8(ascii: "\"") {
                component += Array(try parseQuoted().text.utf8)
                started = true
            } else if isUnquotedByte(at: index) {
                if byte == UInt8(ascii: ".") {
                    components.append(String(decoding: component, as: UTF8.self))
                    component = []
                } else {
                    component.append(byte)
                }
                started = true
                index += 1
            } else {
                break
            }
        }
        if started { components.append(String(decoding: component, as: UTF8.self)) }
        if components.contains("") { throw error("a key has an empty component (two dots, or a leading or trailing dot)") }
        return components
    }

    /// A value: one or more pieces on the same line, up to a new line, comma, closing bracket or comment.
    private mutating func parseValue(path: [String], appends: Bool) throws(HOCONSyntaxError) {
        let start = index
        var pieces: [HOCONValue] = []
        while let byte = current, byte != UInt8(ascii: "\n"), byte != UInt8(ascii: ","), byte != UInt8(ascii: "}"),
              byte != UInt8(ascii: "]"), !atComment {
            if isAt("{{") {
                guard let end = bytes[index...].firstRange(of: "}}".utf8) else { throw error("a {{ placeholder is not closed") }
                index = end.upperBound
                pieces.append(.placeholder)
            } else if byte == UInt8(ascii: "{") {
                index += 1
                try parseObjectBody(path: path, closing: UInt8(ascii: "}"))
                pieces.append(.object)
            } else if byte == UInt8(ascii: "[") {
                index += 1
                try parseArray(path: path)
                pieces.append(.array)
            } else if isAt("\"\"\"") {
                pieces.append(.string(try parseTripleQuoted()))
            } else if byte == UInt8(ascii: "\"") {
                pieces.append(.string(try parseQuoted()))
            } else if isAt("${") {
                pieces.append(try parseSubstitution())
            } else if isUnquotedByte(at: index) {
                let valueStart = index
                while isUnquotedByte(at: index) { index += 1 }
                let text = String(decoding: bytes[valueStart..<index], as: UTF8.self)
                pieces.append(.string(FoundValue(range: valueStart..<index, style: .hoconUnquoted, line: line(of: valueStart), text: text)))
            } else {
                throw error("unexpected '\(Character(Unicode.Scalar(byte)))' in a value")
            }
            skipSpacesInValue()
        }
        guard !pieces.isEmpty else { throw error("the key \(path.joined(separator: ".")) has no value", at: start) }
        let value = pieces.count == 1 ? pieces[0] : .other(Self.summary(of: pieces))
        settings.append(HOCONSetting(path: path, value: value, line: line(of: start), offset: start, appends: appends))
    }

    /// Blanks between the pieces of a value (not comments, which end it).
    private mutating func skipSpacesInValue() {
        while let byte = current, Self.isSpace(byte) { index += 1 }
    }

    private static func summary(of pieces: [HOCONValue]) -> String {
        pieces.map { piece in
            switch piece {
            case let .string(value): return value.style == .hoconUnquoted ? value.text : "\"\(value.text)\""
            case let .substitution(name, optional): return optional ? "${?\(name)}" : "${\(name)}"
            case .placeholder: return "{{}}"
            case .object: return "{}"
            case .array: return "[]"
            case let .include(name): return "include \(name)"
            case let .other(text): return text
            }
        }.joined(separator: " ")
    }

    private mutating func parseArray(path: [String]) throws(HOCONSyntaxError) {
        let opened = index - 1
        var element = 0
        while true {
            skipBlanks(newlines: true)
            guard let byte = current else { throw error("the array opened here is not closed with ]", at: opened) }
            if byte == UInt8(ascii: "]") {
                index += 1
                return
            }
            try parseValue(path: path + ["[\(element)]"], appends: false)
            element += 1
            skipBlanks(newlines: false)
            if current == UInt8(ascii: ",") {
                index += 1
            } else if let next = current, next != UInt8(ascii: "\n"), next != UInt8(ascii: "]") {
                throw error("expected a new line or a comma after an array element")
            }
        }
    }

    private mutating func parseSubstitution() throws(HOCONSyntaxError) -> HOCONValue {
        index += 2
        let optional = current == UInt8(ascii: "?")
        if optional { index += 1 }
        let start = index
        while let byte = current, byte != UInt8(ascii: "}") {
            guard byte != UInt8(ascii: "\n") else { throw error("a ${ substitution is not closed") }
            index += 1
        }
        guard !atEnd else { throw error("a ${ substitution is not closed") }
        let name = String(decoding: bytes[start..<index], as: UTF8.self).trimmedOfSpaces
        index += 1
        return .substitution(name: name, optional: optional)
    }

    /// A `"..."` string with JSON escapes; the value's range is inside the quotes.
    private mutating func parseQuoted() throws(HOCONSyntaxError) -> FoundValue {
        let open = index
        index += 1
        var text: [UInt8] = []
        while let byte = current, byte != UInt8(ascii: "\"") {
            guard byte != UInt8(ascii: "\n") else { throw error("a quoted string is not closed on its line", at: open) }
            guard byte >= 0x20 || byte == UInt8(ascii: "\t") else { throw error("a quoted string holds a control character; write it as an escape") }
            if byte == UInt8(ascii: "\\") {
                text += try parseEscape()
            } else {
                text.append(byte)
                index += 1
            }
        }
        guard !atEnd else { throw error("a quoted string is not closed", at: open) }
        index += 1
        return FoundValue(range: open + 1..<index - 1, style: .doubleQuoted, line: line(of: open), text: String(decoding: text, as: UTF8.self))
    }

    private mutating func parseEscape() throws(HOCONSyntaxError) -> [UInt8] {
        guard let escaped = peek(index + 1) else { throw error("a quoted string ends in a backslash") }
        index += 2
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return [escaped]
        case UInt8(ascii: "b"): return [0x08]
        case UInt8(ascii: "f"): return [0x0C]
        case UInt8(ascii: "n"): return [0x0A]
        case UInt8(ascii: "r"): return [0x0D]
        case UInt8(ascii: "t"): return [0x09]
        case UInt8(ascii: "u"):
            guard index + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
                throw error("a \\u escape needs four hex digits")
            }
            index += 4
            return Array(String(Character(Unicode.Scalar(code) ?? "\u{FFFD}")).utf8)
        default:
            throw error("\\\(Character(Unicode.Scalar(escaped))) is not a valid escape in a quoted string")
        }
    }

    /// A `"""..."""` string: no escapes; quotes just before the closing three belong to the string.
    private mutating func parseTripleQuoted() throws(HOCONSyntaxError) -> FoundValue {
        let open = index
        index += 3
        guard let close = bytes[index...].firstRange(of: "\"\"\"".utf8) else { throw error("a \"\"\" string is not closed", at: open) }
        var end = close.lowerBound
        while peek(end + 3) == UInt8(ascii: "\"") { end += 1 }
        index = end + 3
        let text = String(decoding: bytes[open + 3..<end], as: UTF8.self)
        return FoundValue(range: open + 3..<end, style: .hoconTriple, line: line(of: open), text: text)
    }
}
