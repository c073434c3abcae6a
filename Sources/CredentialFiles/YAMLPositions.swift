/// Maps libyaml's marks (1-based line, 1-based column counted in Unicode scalars) to byte offsets
/// in the original bytes, with libyaml's idea of a line break (`\r\n`, `\r`, `\n`, NEL, LS, PS).
struct YAMLPositions {
    private let bytes: [UInt8]
    /// Byte offset of the first byte of each line; index 0 is line 1.
    private var lineStarts: [Int] = []

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        lineStarts.append(index)
        while index < bytes.count {
            let width = YAMLPositions.breakWidth(bytes, at: index)
            if width > 0 {
                index += width
                lineStarts.append(index)
            } else {
                index += 1
            }
        }
    }

    /// The length of the line break at `index`, 0 if there is none.
    static func breakWidth(_ bytes: [UInt8], at index: Int) -> Int {
        switch bytes[index] {
        case UInt8(ascii: "\r"):
            return index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n") ? 2 : 1
        case UInt8(ascii: "\n"):
            return 1
        case 0xC2 where index + 1 < bytes.count && bytes[index + 1] == 0x85:
            return 2
        case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
            return 3
        default:
            return 0
        }
    }

    /// The byte offset of `column` (1-based, in Unicode scalars) on `line` (1-based), nil past the end.
    func offset(line: Int, column: Int) -> Int? {
        guard line >= 1, line <= lineStarts.count else { return nil }
        var index = lineStarts[line - 1]
        var remaining = column - 1
        while remaining > 0 {
            guard index < bytes.count, YAMLPositions.breakWidth(bytes, at: index) == 0 else { return nil }
            index += YAMLPositions.scalarWidth(bytes[index])
            remaining -= 1
        }
        return min(index, bytes.count)
    }

    /// The byte offset where the line holding `offset` ends (its break, or the end of the file).
    func lineEnd(from offset: Int) -> Int {
        var index = offset
        while index < bytes.count, YAMLPositions.breakWidth(bytes, at: index) == 0 { index += 1 }
        return index
    }

    private static func scalarWidth(_ lead: UInt8) -> Int {
        switch lead {
        case 0xF0...: return 4
        case 0xE0...: return 3
        case 0xC0...: return 2
        default: return 1
        }
    }
}
