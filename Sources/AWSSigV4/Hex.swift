import Foundation

/// Lowercase hexadecimal of a byte sequence (digests and signatures).
enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    static func encode(_ bytes: some ContiguousBytes) -> String {
        bytes.withUnsafeBytes { raw in
            String(unsafeUninitializedCapacity: raw.count * 2) { output in
                write(raw, into: output)
                return raw.count * 2
            }
        }
    }

    static func append(_ bytes: some ContiguousBytes, to output: inout [UInt8]) {
        bytes.withUnsafeBytes { raw in
            let start = output.count
            output.append(contentsOf: repeatElement(0, count: raw.count * 2))
            output.withUnsafeMutableBufferPointer { buffer in
                write(raw, into: UnsafeMutableBufferPointer(rebasing: buffer[start...]))
            }
        }
    }

    private static func write(_ raw: UnsafeRawBufferPointer, into output: UnsafeMutableBufferPointer<UInt8>) {
        digits.withUnsafeBufferPointer { digits in
            for (index, byte) in raw.enumerated() {
                output[2 * index] = digits[Int(byte >> 4)]
                output[2 * index + 1] = digits[Int(byte & 0x0F)]
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
