/// Byte-level helpers for ASCII protocol text.
enum ASCII {
    static let newline = UInt8(ascii: "\n")

    /// Case-insensitive equality for ASCII names (header names), without allocating.
    static func equalsIgnoringCase(_ text: String, _ lowercase: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        guard text.utf8.count == expected.count else { return false }
        return text.withUTF8Buffer { bytes in
            for (byte, wanted) in zip(bytes, expected) where lower(byte) != wanted {
                return false
            }
            return true
        }
    }

    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
