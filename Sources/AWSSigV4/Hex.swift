import Foundation

/// Lowercase hexadecimal of a byte sequence (digests and signatures).
enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    static func encode(_ bytes: some ContiguousBytes) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(64)
        append(bytes, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    static func append(_ bytes: some ContiguousBytes, to output: inout [UInt8]) {
        bytes.withUnsafeBytes { raw in
            digits.withUnsafeBufferPointer { digits in
                for byte in raw {
                    output.append(digits[Int(byte >> 4)])
                    output.append(digits[Int(byte & 0x0F)])
                }
            }
        }
    }
}

/// Byte-level helpers for ASCII protocol text.
enum ASCII {
    static let newline = UInt8(ascii: "\n")

    /// Case-insensitive equality for ASCII names (header names), without allocating.
    static func equalsIgnoringCase(_ text: String, _ lowercase: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        guard text.utf8.count == expected.count else { return false }
        for (byte, wanted) in zip(text.utf8, expected) where lower(byte) != wanted {
            return false
        }
        return true
    }

    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
