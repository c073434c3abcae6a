import Crypto

/// The SHA-256 digest of a file's content, used for compare-and-swap and backup checks.
public struct FileDigest: Sendable, Hashable, CustomStringConvertible {
    /// Lower-case hex, 64 characters.
    public let hex: String

    public init<Bytes: Sequence>(of bytes: Bytes) where Bytes.Element == UInt8 {
        let digest = SHA256.hash(data: Array(bytes))
        hex = digest.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }

    /// A digest recorded earlier (e.g. a backup's, in the rotation record).
    public init(hex: String) {
        self.hex = hex
    }

    public var description: String { "sha256:\(hex)" }
}
