/// The Secrets Manager version stages the fleet protocol uses.
public enum SecretStage {
    public static let current = "AWSCURRENT"
    public static let pending = "AWSPENDING"
    public static let previous = "AWSPREVIOUS"
}

/// Which version of a secret to read: always explicit, because a read without a selector is
/// answered from a default that moto does not move with `AWSCURRENT`.
public enum SecretVersionSelector: Sendable, Hashable, CustomStringConvertible {
    case stage(String)
    case versionID(String)

    public var description: String {
        switch self {
        case .stage(let stage): "stage \(stage)"
        case .versionID(let id): "version \(id)"
        }
    }
}
