import DurableFS
import KeyrotCore


/// A pre-rotation copy of a credential file (mode 0600, in keyrotd's state directory).
public struct FileBackup: Sendable, Hashable {
    /// The file that was copied.
    public let originalPath: String
    /// Where the copy is.
    public let backupPath: String
    /// Digest of the copied content.
    public let digest: FileDigest

    public init(originalPath: String, backupPath: String, digest: FileDigest) {
        self.originalPath = originalPath
        self.backupPath = backupPath
        self.digest = digest
    }
}

extension CredentialFiles {
    /// Copies the snapshot's bytes into `directory` (mode 0600, durable); the name is derived from
    /// the original path and the digest, so backups of different files and versions do not collide.
    public static func backup(_ snapshot: CredentialFileSnapshot, into directory: String) throws(CredentialFileError) -> FileBackup {
        let flattened = snapshot.spec.path.split(separator: "/").joined(separator: "_")
        let backupPath = "\(directory)/\(flattened).\(snapshot.digest.hex.prefix(16)).bak"
        do {
            try DurableFS.writePrivate(backupPath, bytes: snapshot.bytes)
        } catch {
            throw CredentialFileError(error)
        }
        return FileBackup(originalPath: snapshot.spec.path, backupPath: backupPath, digest: snapshot.digest)
    }

    /// Puts the backup's content back over the original atomically, keeping the original's mode,
    /// owner and group; refuses a backup whose content no longer matches its digest.
    public static func restore(_ backup: FileBackup) throws(CredentialFileError) {
        do {
            let bytes = try DurableFS.read(backup.backupPath)
            guard FileDigest(of: bytes) == backup.digest else {
                throw CredentialFileError(code: .verificationFailed, path: backup.backupPath,
                                          message: "the backup's content does not match its recorded digest; restore \(backup.originalPath) by hand")
            }
            try DurableFS.replace(backup.originalPath, with: bytes, ifDigestIs: nil)
        } catch let error as DurableFSError {
            throw CredentialFileError(error)
        } catch let error as CredentialFileError {
            throw error
        } catch {
            throw CredentialFileError(code: .fileSystem, path: backup.originalPath, message: "restore failed: \(error)")
        }
    }
}
