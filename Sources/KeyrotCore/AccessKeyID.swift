/// An IAM access key id such as `AKIAIOSFODNN7EXAMPLE`. Not a secret: it may be logged in full.
public struct AccessKeyID: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
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
}
