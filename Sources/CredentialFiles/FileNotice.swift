/// Something about a credential file worth telling the operator that does not stop a rotation.
/// It names settings, variables and lines, never a value.
public struct FileNotice: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// An optional override (`${?VARIABLE}`) follows the key: when the variable is set in the
        /// reading program's environment, it wins over the rotated key (a warning).
        case environmentOverride
        /// The secret is unquoted; a new secret unquoted HOCON cannot hold is written double-quoted.
        case writtenQuoted
    }

    public let kind: Kind
    public let text: String

    public init(_ kind: Kind, _ text: String) {
        self.kind = kind
        self.text = text
    }

    public var description: String { text }
}
