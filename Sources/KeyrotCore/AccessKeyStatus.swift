/// The status IAM reports for an access key.
public enum AccessKeyStatus: String, Sendable, Hashable, Codable {
    case active = "Active"
    case inactive = "Inactive"
    /// Reported by IAM for keys it expired itself; such a key signs nothing, like an inactive one.
    case expired = "Expired"
}
