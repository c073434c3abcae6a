import DurableFS
import KeyrotCore

/// What a file held when it was read: its bytes, their digest (for compare-and-swap) and the pairs.
/// Its description and mirror leave out the bytes, which hold the secret.
public struct CredentialFileSnapshot: Sendable, CustomStringConvertible, CustomReflectable {
    public let spec: CredentialFileSpec
    public let bytes: [UInt8]
    public let digest: FileDigest
    public let pairs: [LocatedCredentialPair]
    /// Where each pair's two values sit in `bytes`, in the order of `pairs`.
    let slots: [FoundPair]

    init(spec: CredentialFileSpec, bytes: [UInt8], slots: [FoundPair]) throws(CredentialFileError) {
        self.spec = spec
        self.bytes = bytes
        self.digest = FileDigest(of: bytes)
        self.slots = slots
        var pairs: [LocatedCredentialPair] = []
        for slot in slots { pairs.append(try slot.located(path: spec.path)) }
        self.pairs = pairs
    }

    /// Warnings about the file that do not stop a rotation (such as an environment variable that
    /// overrides the key); they name settings and lines, never a value.
    /// Each once, though several pairs of one file share them.
    public var notices: [FileNotice] {
        var seen: Set<FileNotice> = []
        return slots.flatMap(\.notices).filter { seen.insert($0).inserted }
    }

    public var description: String { "\(spec.path) (\(spec.format.rawValue), \(digest), \(pairs.count) pair(s))" }

    public var customMirror: Mirror {
        Mirror(self, children: ["spec": spec, "digest": digest, "pairs": pairs], displayStyle: .struct)
    }
}
