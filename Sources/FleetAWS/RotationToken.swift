/// A `ClientRequestToken`, which becomes the new version's VersionId: the rotation's id.
///
/// Secrets Manager takes 32 to 64 characters; keyrotd uses letters, digits and `-` only, so a
/// token is safe in logs, item attributes and file names.
public struct RotationToken: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// The token of rotation number `rotation`: `keyrotd-rotation-` and 20 zero-padded digits, so
    /// tokens of successive rotations sort in order.
    public init(rotation: UInt64) {
        let digits = String(rotation)
        rawValue = "keyrotd-rotation-" + String(repeating: "0", count: 20 - digits.count) + digits
    }

    /// A token read back (a VersionId from Secrets Manager, an attribute of the lease item).
    public init?(_ text: String) {
        guard (32...64).contains(text.count),
              text.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") })
        else { return nil }
        rawValue = text
    }

    public var description: String { rawValue }
}
