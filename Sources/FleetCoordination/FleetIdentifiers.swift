/// A host of the fleet (`fleet.host_id`, by default `/etc/machine-id`). Not a secret.
public struct HostID: Sendable, Hashable, Codable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        rawValue = value
    }

    public var description: String { rawValue }

    public static func < (lhs: HostID, rhs: HostID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A Secrets Manager VersionId. A rotation's version id is its `ClientRequestToken`, chosen when
/// the rotation starts and recorded in the table, so that a retried `PutSecretValue` is a no-op
/// and every host fetches the rotation's key by this id.
public struct SecretVersionID: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    /// A fresh token for rotation `sequence`: the number (for people) and 32 random hex digits, so
    /// that an id is never reused, not even after the table was recreated (AWS refuses one token
    /// with two values; moto silently overwrites, which the protocol never relies on).
    public static func newRotationToken(sequence: Int) -> SecretVersionID {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<2).map { _ in
            let value = generator.next() as UInt64
            let hex = String(value, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
        return SecretVersionID("keyrotd-rotation-\(sequence)-\(random)")
    }
}

/// The lease item's record version number (`rvn`): a new random value on every write by the
/// holder. Every write of the leader is conditional on the one it holds (the fence).
public struct RecordVersion: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }
}
