import CredentialFiles
import KeyrotConfig
import KeyrotCore

extension FileEntrySyntax {
    /// The rules keyrotd itself passes (KeyrotCLI), so these tests read configurations as it does.
    static let credentialFiles = FileEntrySyntax(isHOCONPath: CredentialFileSpec.isHOCONPath)
}
