/// A line of a file: where its content starts and ends (before `\n` / `\r\n`) and its 1-based number.
struct TextLine {
    let number: Int
    let start: Int
    let end: Int
}

enum LineScanner {
    /// The lines of `bytes`, split at `\n`; a `\r` before the `\n` is not part of the content.
    static func lines(of bytes: [UInt8]) -> [TextLine] {
        var lines: [TextLine] = []
        var start = 0
        var number = 1
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            let end = index > start && bytes[index - 1] == UInt8(ascii: "\r") ? index - 1 : index
            lines.append(TextLine(number: number, start: start, end: end))
            start = index + 1
            number += 1
        }
        if start < bytes.count { lines.append(TextLine(number: number, start: start, end: bytes.count)) }
        return lines
    }

    static func text(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
}
