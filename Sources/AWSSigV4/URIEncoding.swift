/// Percent-encoding as SigV4 and the Query protocol need it: RFC 3986 unreserved characters
/// (`A-Z a-z 0-9 - _ . ~`) stay bare, every other byte of the UTF-8 form becomes `%XX` with uppercase hex.
public enum URIEncoding {
    private static let hexDigits = Array("0123456789ABCDEF")

    /// Encodes every byte except the unreserved set; with `keepSlash` a `/` also stays bare (for paths).
    public static func encode(_ text: some StringProtocol, keepSlash: Bool = false) -> String {
        var encoded = ""
        for byte in text.utf8 {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                encoded.append(Character(Unicode.Scalar(byte)))
            } else {
                encoded += "%\(hexDigits[Int(byte >> 4)])\(hexDigits[Int(byte & 0x0F)])"
            }
        }
        return encoded
    }

    /// Decodes `%XX` sequences; malformed sequences are kept literally.
    public static func decode(_ text: some StringProtocol) -> String {
        let utf8 = Array(text.utf8)
        var bytes: [UInt8] = []
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "%"), index + 2 < utf8.count,
               let high = hexValue(utf8[index + 1]), let low = hexValue(utf8[index + 2]) {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
