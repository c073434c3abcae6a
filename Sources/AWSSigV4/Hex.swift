/// Lowercase hexadecimal of a byte sequence (digests and signatures).
enum Hex {
    private static let digits = Array("0123456789abcdef")

    static func lowercase(_ bytes: some Sequence<UInt8>) -> String {
        var text = ""
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return text
    }
}
