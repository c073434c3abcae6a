import CredentialFiles
import KeyrotConfig
import KeyrotCore

extension FileEntrySyntax {
    /// The rewriters' own rules, which every configuration keyrotd loads is checked against.
    static let credentialFiles = FileEntrySyntax(isHOCONPath: CredentialFileSpec.isHOCONPath)
}
