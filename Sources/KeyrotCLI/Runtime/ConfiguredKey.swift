import CredentialFiles
import KeyrotConfig
import KeyrotCore

/// The one key pair the configured files hold, which the commands sign with.
enum ConfiguredKey {
    /// - Throws: ``CLIError`` when no file holds a key or the files disagree; the files' own errors.
    static func read(_ configuration: KeyrotConfiguration) throws -> Credentials {
        var held: [(path: String, credentials: Credentials)] = []
        for spec in configuration.files {
            for pair in try CredentialFiles.read(spec).pairs {
                held.append((spec.path, Credentials(accessKeyID: pair.accessKeyID, secretAccessKey: pair.secretAccessKey)))
            }
        }
        guard let credentials = held.first?.credentials else {
            throw CLIError("no configured file holds an access key")
        }
        guard held.allSatisfy({ $0.credentials == credentials }) else {
            throw CLIError("the files do not hold the same key: "
                + held.map { "\($0.path) holds \($0.credentials.accessKeyID)" }.joined(separator: ", "))
        }
        return credentials
    }
}
