@testable import AWSSigV4
import Foundation
import Testing

/// The byte-level helpers the signer writes with, each compared with a plain `String` formulation
/// of the same rule on seeded random inputs.
@Suite struct ByteLevelTests {
    @Test func hexMatchesStringRadixFormatting() {
        var random = SeededRandom(seed: 1)
        for _ in 0..<300 {
            let bytes = (0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            let expected = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
            #expect(bytes.withUnsafeBytes(Hex.encode) == expected)
        }
    }

    /// RFC 4231 test cases 1-4, 6 and 7, then a key of exactly one block and an empty key (the last two
    /// computed with Python's `hmac`).
    @Test(arguments: [
        (Array(repeating: 0x0B, count: 20), Array("Hi There".utf8), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (Array(repeating: 0xAA, count: 20), Array(repeating: 0xDD, count: 50), "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        (Array(1...25), Array(repeating: 0xCD, count: 50), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        (Array(repeating: 0xAA, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        (Array(repeating: 0xAA, count: 131),
         Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
        (Array(repeating: 0x01, count: 64), [], "11581ebc1f05ecefdee13d63845c1a43b219a7bc8e0e90d3396baeb2a55677d7"),
        ([], Array("abc".utf8), "fd7adb152c05ef80dccf50a1fa4c05d5a3ec6da95575fc312ae7c5d091836351"),
    ] as [([UInt8], [UInt8], String)])
    func precomputedHMACMatchesReferenceVectors(key: [UInt8], message: [UInt8], expected: String) {
        let code = message.withUnsafeBytes { Array(PrecomputedHMAC(key: key).authenticationCode(for: $0)) }
        #expect(code.withUnsafeBytes(Hex.encode) == expected)
    }

    @Test func byteWriterWritesAndCopiesInOrder() {
        let text = [UInt8](unsafeUninitializedCapacity: 32) { buffer, initialized in
            var writer = ByteWriter(buffer)
            writer.write("ab" as StaticString)
            writer.write(UInt8(ascii: "-"))
            writer.write("cdé")
            writer.copy(0..<2)
            initialized = writer.count
        }
        #expect(String(decoding: text, as: UTF8.self) == "ab-cdéab")
    }

    @Test func canonicalHeadersMatchAStringFormulation() {
        var random = SeededRandom(seed: 2)
        let names = ["Host", "host", "Content-Type", "X-Amz-Meta-A", "x-amz-meta-a", "X-Amz-Meta-AB", "a", "B", "Zeta", "Ünï-Côde", "x"]
        let valuePieces = ["a", "Z", "0", " ", "  ", "\t", ",", ":", "é", "ሴ", ";"]
        for _ in 0..<500 {
            let fields = (0..<Int.random(in: 0...8, using: &random)).map { _ in
                (name: names.randomElement(using: &random)!, value: random.string(from: valuePieces, maxLength: 8))
            }
            let (block, signed) = Self.referenceCanonicalHeaders(fields)
            #expect(Self.canonicalHeaders(fields) == block + "|" + signed, "\(fields)")
        }
    }

    @Test func amzDateMatchesTheGregorianCalendar() {
        var random = SeededRandom(seed: 3)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for _ in 0..<500 {
            let date = Date(timeIntervalSince1970: Double.random(in: 0..<4_102_444_800, using: &random))
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            func digits(_ value: Int?, _ width: Int) -> String {
                let text = String(value!)
                return String(repeating: "0", count: width - text.count) + text
            }
            let expected = digits(parts.year, 4) + digits(parts.month, 2) + digits(parts.day, 2) + "T"
                + digits(parts.hour, 2) + digits(parts.minute, 2) + digits(parts.second, 2) + "Z"
            #expect(AMZDate(date).timestamp == expected, "\(date.timeIntervalSince1970)")
            #expect(AMZDate(date).day == String(expected.prefix(8)))
        }
    }

    @Test func formEncoderMatchesPerBytePercentEncoding() {
        var random = SeededRandom(seed: 4)
        let pieces = ["a", "Z", "9", "-", "_", ".", "~", " ", "/", "+", "=", "&", "%", "é", "ሴ", "😀"]
        for _ in 0..<300 {
            let pairs = (0..<Int.random(in: 0...5, using: &random)).map { _ in
                (name: random.string(from: pieces, maxLength: 6), value: random.string(from: pieces, maxLength: 6))
            }
            let expected = pairs.sorted { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
                .map { Self.percentEncoded($0.name) + "=" + Self.percentEncoded($0.value) }
                .joined(separator: "&")
            #expect(FormEncoder.encode(pairs) == expected, "\(pairs)")
        }
    }

    /// Lowercased names, values trimmed with inner space/tab runs collapsed, repeated names joined
    /// with `,`, sorted by name bytes: the header rules of SigV4 over plain strings and dictionaries.
    private static func referenceCanonicalHeaders(_ fields: [(name: String, value: String)]) -> (block: String, signed: String) {
        var values: [String: [String]] = [:]
        for field in fields {
            let name = String(decoding: field.name.utf8.map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
            values[name, default: []].append(field.value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " "))
        }
        let sorted = values.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        return (sorted.map { "\($0):\(values[$0]!.joined(separator: ","))\n" }.joined(), sorted.joined(separator: ";"))
    }

    /// The header block, `|`, then the signed-headers list, as ``CanonicalHeaders`` writes them.
    private static func canonicalHeaders(_ fields: [(name: String, value: String)]) -> String {
        let bytes = fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count }
        let text = [UInt8](unsafeUninitializedCapacity: 2 * bytes + 3 * fields.count + 1) { buffer, initialized in
            var writer = ByteWriter(buffer)
            CanonicalHeaders.withScratch(headers: fields.count, bytes: bytes) { headers in
                for field in fields {
                    headers.add(name: field.name, value: field.value)
                }
                headers.writeBlock(to: &writer)
                writer.write(UInt8(ascii: "|"))
                headers.writeSignedHeaders(to: &writer)
            }
            initialized = writer.count
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func percentEncoded(_ text: String) -> String {
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~".utf8)
        return text.utf8.map { unreserved.contains($0) ? String(UnicodeScalar($0)) : "%" + (($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true)) }
            .joined()
    }
}
