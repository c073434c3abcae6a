/// Lowercase hexadecimal of a byte sequence (digests and signatures).
enum Hex {
    private static let digits: StaticString = "0123456789abcdef"

    static func encode(_ raw: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: raw.count * 2) { output in
            var writer = ByteWriter(output)
            write(raw, to: &writer)
            return writer.count
        }
    }

    static func write(_ raw: UnsafeRawBufferPointer, to writer: inout ByteWriter) {
        let digits = UnsafeBufferPointer(start: Self.digits.utf8Start, count: 16)
        for byte in raw {
            writer.write(digits[Int(byte >> 4)])
            writer.write(digits[Int(byte & 0x0F)])
        }
    }
}
