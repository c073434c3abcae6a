/// An IAM access key id such as `AKIAIOSFODNN7EXAMPLE`. Not a secret: it may be logged in full.
///
/// Text read at run time (a credential file, an IAM response, the state record) becomes an id only
/// through the throwing ``init(_:)``, which accepts exactly `^(AKIA|ASIA)[A-Z0-9]{16}$`. AWS's API
/// reference documents a wider shape (16 to 128 word characters), but every key IAM issues to a user
/// is `AKIA` + 16 (`ASIA` + 16 for STS), and so are moto's. The strict shape is chosen because it
/// makes the dangerous mistake impossible rather than unlikely: a secret access key (40 characters)
/// can never pass as an id, so a file with the two values swapped is refused instead of publishing
/// its secret as "key id" in logs, STATUS and records. The wider shape would accept about a quarter
/// of all secrets (those without `+` or `/`).
///
/// A string literal in the source is the programmer's word (tests, AWS's documented examples such
/// as the SigV4 test suite's `AKIDEXAMPLE`) and is taken as written; production code builds ids
/// from text only through ``init(_:)``.
public struct AccessKeyID: Sendable, Hashable, Codable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    /// The id in `text`, or ``InvalidAccessKeyID`` describing (never echoing) what is there instead.
    public init(_ text: String) throws(InvalidAccessKeyID) {
        guard Self.isWellFormed(text) else { throw InvalidAccessKeyID(text) }
        rawValue = text
    }

    public init(stringLiteral value: String) {
        rawValue = value
    }

    /// Decoding (the state record) validates like ``init(_:)``; the error describes the value only.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard Self.isWellFormed(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "holds \(InvalidAccessKeyID(text))")
        }
        rawValue = text
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    /// The short form used in one-line status texts: `AKIA…MPLE`.
    public var abbreviated: String {
        guard rawValue.count > 8 else { return rawValue }
        return "\(rawValue.prefix(4))…\(rawValue.suffix(4))"
    }

    public static func < (lhs: AccessKeyID, rhs: AccessKeyID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `AKIA` or `ASIA`, then 16 upper-case ASCII letters or digits.
    public static func isWellFormed(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes.starts(with: Array("AKIA".utf8)) || bytes.starts(with: Array("ASIA".utf8)) else {
            return false
        }
        return bytes.dropFirst(4).allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}

/// Text that is not an access key id. It keeps only the text's length and whether it has the shape
/// of a secret access key, so that no message built from it can leak the value (which may be a
/// secret written in the wrong place).
public struct InvalidAccessKeyID: Error, Sendable, Equatable, CustomStringConvertible {
    /// Characters in the refused text.
    public let length: Int
    /// Whether the text looks like a secret access key (40 characters of base64): the two values of
    /// a pair are probably swapped.
    public let looksLikeSecret: Bool

    public init(_ text: String) {
        length = text.count
        looksLikeSecret = Self.looksLikeSecret(text)
    }

    /// "a value that is not an access key id (40 characters, shaped like a secret access key: are the
    /// id and the secret swapped?)".
    public var description: String {
        let characters = length == 1 ? "1 character" : "\(length) characters"
        let hint = looksLikeSecret ? ", shaped like a secret access key: are the id and the secret swapped?" : ""
        return "a value that is not an access key id (\(characters)\(hint))"
    }

    /// 40 characters of the base64 alphabet, the shape of every secret access key IAM issues.
    public static func looksLikeSecret(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        return utf8.count == 40 && utf8.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
        }
    }
}
