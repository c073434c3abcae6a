import Yams

/// Finds the bytes of a scalar value in the original text, given where it starts and its style,
/// and checks that they decode to exactly the parsed value (otherwise the value is not on one line
/// or uses escapes keyrotd does not rewrite).
enum YAMLScalarExtent {
    enum Failure: Error {
        case anchorOrTag
        case multiline
        case unsupported
    }

    /// The range of the value's text (inside quotes) and its quoting style.
    static func find(in bytes: [UInt8], at start: Int, lineEnd: Int, scalar: Node.Scalar, inFlow: Bool) throws(Failure) -> (Range<Int>, QuoteStyle) {
        guard start < lineEnd else { throw .multiline }
        let first = bytes[start]
        if first == UInt8(ascii: "&") || first == UInt8(ascii: "!") || first == UInt8(ascii: "*") { throw .anchorOrTag }
        switch scalar.style {
        case .literal, .folded:
            throw .multiline
        case .singleQuoted:
            guard first == UInt8(ascii: "'") else { throw .unsupported }
            var index = start + 1
            var text: [UInt8] = []
            while true {
                guard index < lineEnd else { throw .multiline }
                if bytes[index] == UInt8(ascii: "'") {
                    if index + 1 < lineEnd, bytes[index + 1] == UInt8(ascii: "'") { text.append(bytes[index]); index += 2; continue }
                    break
                }
                text.append(bytes[index])
                index += 1
            }
            return try checked((start + 1)..<index, text, scalar, .yamlSingle)
        case .doubleQuoted:
            guard first == UInt8(ascii: "\"") else { throw .unsupported }
            var index = start + 1
            var text: [UInt8] = []
            while true {
                guard index < lineEnd else { throw .multiline }
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") { break }
                if byte == UInt8(ascii: "\\") {
                    guard index + 1 < lineEnd else { throw .multiline }
                    let escaped = bytes[index + 1]
                    guard escaped == UInt8(ascii: "\\") || escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "/") else { throw .unsupported }
                    text.append(escaped)
                    index += 2
                    continue
                }
                text.append(byte)
                index += 1
            }
            return try checked((start + 1)..<index, text, scalar, .doubleQuoted)
        default:
            var end = start
            while end < lineEnd {
                let byte = bytes[end]
                if byte == UInt8(ascii: "#"), end > start, LineScanner.isBlank(bytes[end - 1]) { break }
                if inFlow, byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") { break }
                end += 1
            }
            while end > start, LineScanner.isBlank(bytes[end - 1]) { end -= 1 }
            return try checked(start..<end, Array(bytes[start..<end]), scalar, .plain)
        }
    }

    private static func checked(_ range: Range<Int>, _ text: [UInt8], _ scalar: Node.Scalar, _ style: QuoteStyle) throws(Failure) -> (Range<Int>, QuoteStyle) {
        guard String(decoding: text, as: UTF8.self) == scalar.string else { throw .multiline }
        return (range, style)
    }
}
