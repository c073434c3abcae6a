@testable import AWSSigV4
import Foundation
import Testing

/// The signer's canonicalisation helpers, each compared with an independent formulation of the
/// same rule on seeded random inputs.
@Suite struct CanonicalizationTests {
    @Test func hexMatchesStringRadixFormatting() {
        var random = SeededRandom(seed: 1)
        for _ in 0..<300 {
            let bytes = (0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            let expected = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
            #expect(Hex.lowercase(bytes) == expected)
        }
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

    /// The header block, `|`, then the signed-headers list, as ``Canonicalization/headers(_:)`` gives them.
    private static func canonicalHeaders(_ fields: [(name: String, value: String)]) -> String {
        let canonical = Canonicalization.headers(fields.map { HTTPHeaderField(name: $0.name, value: $0.value) })
        return canonical.block + "|" + canonical.signedHeaders
    }

    private static func percentEncoded(_ text: String) -> String {
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~".utf8)
        return text.utf8.map { unreserved.contains($0) ? String(UnicodeScalar($0)) : "%" + (($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true)) }
            .joined()
    }
}
