/// The syntax of what a `files:` entry may name inside a credential file. It is the rewriters'
/// own (CredentialFiles parses HOCON), so the configuration reader is handed it rather than
/// depending on the rewriters: `KeyrotCLI` passes `CredentialFileSpec.isHOCONPath`.
public struct FileEntrySyntax: Sendable {
    /// Whether a text is a dotted HOCON setting path (`access_key_path`, `secret_key_path`).
    public let isHOCONPath: @Sendable (String) -> Bool

    public init(isHOCONPath: @escaping @Sendable (String) -> Bool) {
        self.isHOCONPath = isHOCONPath
    }
}
