/// A small, strict reader for the XML that IAM and STS answer with: one root element, elements with
/// attributes, character data, CDATA sections, comments, the five predefined entities and numeric
/// character references, and at most a leading `<?xml …?>` declaration.
///
/// Everything else (a DTD, any other entity, a processing instruction, a name or character that
/// is not XML, text outside the root) makes the body invalid: IAM and STS never send it, and a
/// reader that refuses it cannot be led into entity expansion or external fetches. Depth and size
/// are bounded, and the reader never recurses, so no body can exhaust the stack. It works on bytes
/// and validates UTF-8 first; it has no dependency beyond the standard library.
struct StrictXMLReader {
    /// The largest body read; the transport caps bodies well below this.
    static let maximumBytes = 1 << 20
    /// The deepest nesting accepted; IAM and STS answers are at most 6 levels deep.
    static let maximumDepth = 32

    /// Why a body was refused; says where, for the tests and for debugging, never what the body held.
    struct Invalid: Error, Equatable {
        let reason: String
        let offset: Int
    }

    private let bytes: [UInt8]
    private var index = 0

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The root element of `bytes`, or `Invalid` naming the first construct refused.
    static func read(_ bytes: [UInt8]) throws(Invalid) -> ResponseElement {
        guard bytes.count <= maximumBytes else { throw Invalid(reason: "body larger than \(maximumBytes) bytes", offset: 0) }
        guard String(validating: bytes, as: UTF8.self) != nil else { throw Invalid(reason: "not UTF-8", offset: 0) }
        var reader = StrictXMLReader(bytes)
        return try reader.document()
    }

    // MARK: Document structure

    fileprivate struct OpenElement {
        let qualifiedName: [UInt8]
        var text: [UInt8] = []
        var children: [ResponseElement] = []
    }

    private mutating func document() throws(Invalid) -> ResponseElement {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        if hasPrefix("<?xml") { try declaration() }
        try miscellany()
        guard peek() == UInt8(ascii: "<") else { throw invalid("no root element") }
        let root = try rootElement()
        try miscellany()
        guard index == bytes.count else { throw invalid("content after the root element") }
        return root
    }

    /// Whitespace and comments, as allowed before and after the root element.
    private mutating func miscellany() throws(Invalid) {
        while true {
            skipWhitespace()
            if hasPrefix("<!--") { try comment() } else { return }
        }
    }

    /// The root element and everything inside it, with an explicit stack instead of recursion.
    private mutating func rootElement() throws(Invalid) -> ResponseElement {
        var stack: [OpenElement] = []
        repeat {
            if hasPrefix("</") {
                index += 2
                let name = try readName()
                skipWhitespace()
                try expect(UInt8(ascii: ">"), "unterminated end tag")
                guard let open = stack.popLast(), open.qualifiedName == name else { throw invalid("mismatched end tag") }
                let element = ResponseElement(open)
                if stack.isEmpty { return element }
                stack[stack.count - 1].children.append(element)
            } else if hasPrefix("<!--") {
                try comment()
            } else if hasPrefix("<![CDATA[") {
                guard !stack.isEmpty else { throw invalid("CDATA outside an element") }
                stack[stack.count - 1].text += try cdata()
            } else if hasPrefix("<!") || hasPrefix("<?") {
                throw invalid("a declaration or processing instruction inside the document")
            } else if peek() == UInt8(ascii: "<") {
                index += 1
                guard stack.count < Self.maximumDepth else { throw invalid("nested deeper than \(Self.maximumDepth)") }
                let name = try readName()
                try attributes()
                if hasPrefix("/>") {
                    index += 2
                    let element = ResponseElement(OpenElement(qualifiedName: name))
                    if stack.isEmpty { return element }
                    stack[stack.count - 1].children.append(element)
                } else {
                    try expect(UInt8(ascii: ">"), "unterminated start tag")
                    stack.append(OpenElement(qualifiedName: name))
                }
            } else {
                guard !stack.isEmpty else { throw invalid("text outside the root element") }
                stack[stack.count - 1].text += try characterData()
            }
        } while index < bytes.count
        throw invalid("unexpected end of the body")
    }

    /// `<?xml version="1.0" encoding="UTF-8"?>`: only pseudo-attributes, only at the very start.
    private mutating func declaration() throws(Invalid) {
        index += 5
        guard let byte = peek(), Self.isWhitespace(byte) else { throw invalid("malformed XML declaration") }
        try attributes()
        guard hasPrefix("?>") else { throw invalid("unterminated XML declaration") }
        index += 2
    }

    private mutating func comment() throws(Invalid) {
        index += 4
        while index < bytes.count {
            if hasPrefix("--") {
                guard hasPrefix("-->") else { throw invalid("'--' inside a comment") }
                index += 3
                return
            }
            index += 1
        }
        throw invalid("unterminated comment")
    }

    private mutating func cdata() throws(Invalid) -> [UInt8] {
        index += 9
        let start = index
        while index < bytes.count {
            if hasPrefix("]]>") {
                let content = Array(bytes[start..<index])
                index += 3
                return content
            }
            index += 1
        }
        throw invalid("unterminated CDATA section")
    }

    /// Attributes are checked for well-formedness and dropped: no IAM or STS field lives in one.
    private mutating func attributes() throws(Invalid) {
        var names: [[UInt8]] = []
        while true {
            let hadWhitespace = skipWhitespace()
            guard let byte = peek(), byte != UInt8(ascii: ">"), byte != UInt8(ascii: "/"), byte != UInt8(ascii: "?")
            else { return }
            guard hadWhitespace else { throw invalid("attributes must be separated by whitespace") }
            let name = try readName()
            guard !names.contains(name) else { throw invalid("duplicate attribute") }
            names.append(name)
            skipWhitespace()
            try expect(UInt8(ascii: "="), "attribute without a value")
            skipWhitespace()
            guard let quote = peek(), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                throw invalid("unquoted attribute value")
            }
            index += 1
            while true {
                guard let byte = peek() else { throw invalid("unterminated attribute value") }
                if byte == quote { index += 1; break }
                if byte == UInt8(ascii: "<") { throw invalid("'<' in an attribute value") }
                if byte == UInt8(ascii: "&") { _ = try reference() } else { index += 1 }
            }
        }
    }

    /// Text up to the next markup, with references replaced.
    private mutating func characterData() throws(Invalid) -> [UInt8] {
        var text: [UInt8] = []
        while let byte = peek(), byte != UInt8(ascii: "<") {
            if byte == UInt8(ascii: "&") {
                text += try reference()
            } else {
                if hasPrefix("]]>") { throw invalid("']]>' in text") }
                text.append(byte)
                index += 1
            }
        }
        return text
    }

    // MARK: Lexical pieces

    /// `&lt;`, `&gt;`, `&amp;`, `&quot;`, `&apos;`, `&#N;` or `&#xH;`, as UTF-8; nothing else.
    private mutating func reference() throws(Invalid) -> [UInt8] {
        let start = index
        index += 1
        guard let end = bytes[index...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
            index = start
            throw invalid("an '&' that starts no reference")
        }
        let body = Array(bytes[index..<end])
        index = end + 1
        switch body {
        case Array("lt".utf8): return [UInt8(ascii: "<")]
        case Array("gt".utf8): return [UInt8(ascii: ">")]
        case Array("amp".utf8): return [UInt8(ascii: "&")]
        case Array("quot".utf8): return [UInt8(ascii: "\"")]
        case Array("apos".utf8): return [UInt8(ascii: "'")]
        default: break
        }
        guard body.first == UInt8(ascii: "#"), let scalar = Self.characterReference(body.dropFirst()),
              Self.isXMLCharacter(scalar)
        else {
            index = start
            throw invalid("an entity other than the five predefined ones, or a bad character reference")
        }
        return Array(String(Character(scalar)).utf8)
    }

    private static func characterReference(_ digits: ArraySlice<UInt8>) -> Unicode.Scalar? {
        var digits = digits
        var radix: UInt32 = 10
        if digits.first == UInt8(ascii: "x") {
            radix = 16
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.count <= 8 else { return nil }
        var value: UInt32 = 0
        for digit in digits {
            guard let number = hexValue(digit), number < radix else { return nil }
            value = value * radix + number
        }
        return Unicode.Scalar(value)
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// XML 1.0's `Char`: tab, newline, carriage return, and everything from U+0020 but the
    /// surrogates (which `Unicode.Scalar` excludes already) and U+FFFE/U+FFFF.
    private static func isXMLCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD: true
        case 0x20...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    /// An element or attribute name, with at most one namespace prefix. ASCII letters, digits and
    /// `_ - .` plus any non-ASCII byte (UTF-8 already validated); neither part may be empty or start
    /// with a digit, `-` or `.`.
    private mutating func readName() throws(Invalid) -> [UInt8] {
        let start = index
        while let byte = peek(), Self.isNameByte(byte) { index += 1 }
        let name = bytes[start..<index]
        let parts = name.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard !name.isEmpty, parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && !Self.cannotStartName($0.first!) }) else {
            throw invalid("not an XML name")
        }
        return Array(name)
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: ":"), 0x80...0xFF:
            true
        default: false
        }
    }

    private static func cannotStartName(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    @discardableResult
    private mutating func skipWhitespace() -> Bool {
        let start = index
        while let byte = peek(), Self.isWhitespace(byte) { index += 1 }
        return index > start
    }

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private func hasPrefix(_ literal: String) -> Bool {
        bytes[index...].starts(with: literal.utf8)
    }

    private mutating func expect(_ byte: UInt8, _ reason: String) throws(Invalid) {
        guard peek() == byte else { throw invalid(reason) }
        index += 1
    }

    private func invalid(_ reason: String) -> Invalid {
        Invalid(reason: reason, offset: index)
    }
}

extension ResponseElement {
    /// An element as the reader closes it: the local name (namespace prefix dropped, as IAM's
    /// answers are looked up by local name) and the element's own text.
    fileprivate init(_ open: StrictXMLReader.OpenElement) {
        let local = open.qualifiedName.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false).last ?? []
        self.init(name: String(decoding: local, as: UTF8.self), text: String(decoding: open.text, as: UTF8.self),
                  children: open.children)
    }
}
