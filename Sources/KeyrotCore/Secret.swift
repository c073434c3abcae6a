/// A secret string (an AWS secret access key or session token) that never prints itself.
///
/// `description`, `debugDescription`, string interpolation, `dump` and `Mirror` all show
/// `<redacted>`. The only way to the bytes is ``revealed()``, which makes every use greppable.
/// Not `Codable`: persisting a secret is an explicit act (see the state store).
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String

    public init(_ value: String) {
        self.value = value
    }

    /// The secret itself, for the few places that must have it: signing, writing a target file,
    /// the 0600 state record.
    public func revealed() -> String {
        value
    }

    public var isEmpty: Bool { value.isEmpty }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "Secret(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
