import CredentialFiles
import DurableFS
import FoundationEssentials
import Glibc
import KeyrotCore
import Logging
import RotationEngine

/// The engine's `CredentialFileStore` over the format-preserving rewriter, for the configured
/// files. Backups live in the state directory's backup folder, one 0600 copy per file.
struct ConfiguredFileStore: CredentialFileStore {
    let specs: [String: CredentialFileSpec]
    let backupDirectory: String
    /// Where a rewrite's notices go (an environment override, a secret written quoted).
    let logger: Logger

    init(files: [CredentialFileSpec], stateDirectory: String, logger: Logger = Logger(label: "keyrotd")) {
        specs = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        backupDirectory = StateDirectoryLayout(stateDirectory).backups
        self.logger = logger
    }

    /// Also the recovery of an interrupted replace (a killed keyrotd's temp files beside the file
    /// are removed: they may hold a new secret) and the check that a replace could keep the file's
    /// attributes, carried in the snapshot so that preflight refuses before a key is created.
    func read(path: String) async throws -> CredentialFileContents {
        try requireExisting(path)
        DurableFS.removeStaleTempFiles(beside: path)
        let snapshot = try CredentialFiles.read(try spec(path))
        return CredentialFileContents(
            path: path,
            pairs: snapshot.pairs.map { Credentials(accessKeyID: $0.accessKeyID, secretAccessKey: $0.secretAccessKey) },
            version: FileVersion(snapshot.digest.hex),
            writeProblem: DurableFS.replaceProblem(path)?.message)
    }

    func backUp(path: String) async throws -> FileBackupReference {
        try FileManager.default.createDirectory(atPath: backupDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let snapshot = try CredentialFiles.read(try spec(path))
        let backup = try CredentialFiles.backup(snapshot, into: backupDirectory)
        return FileBackupReference(location: backup.backupPath, digest: backup.digest.hex)
    }

    /// Reads the file (to edit it and for the compare-and-swap), writes it atomically if it is
    /// still that version, and reads it back (`CredentialFiles.write`); then logs the file's
    /// notices: an environment override that would win over the new key at warning, a secret
    /// written double-quoted at notice.
    func rewrite(path: String, expected: FileVersion, replacing old: Credentials, with new: Credentials) async throws {
        try requireExisting(path)
        let current = try CredentialFiles.read(try spec(path))
        guard current.digest.hex == expected.token else {
            throw RotationPortError(.failed, "\(path) changed since it was read (someone edited it during the rotation); not overwritten")
        }
        let rewritten = try CredentialFiles.rewrite(current, replacing: old.accessKeyID, with: new)
        try CredentialFiles.write(rewritten, over: current)
        for notice in current.notices {
            let level: Logger.Level = switch notice.kind {
            case .environmentOverride: .warning
            case .writtenQuoted: .notice
            }
            logger.log(level: level, "\(notice.text)", metadata: ["file": .string(path)])
        }
    }

    func restore(path: String, from backup: FileBackupReference) async throws {
        try requireExisting(path)
        try CredentialFiles.restore(FileBackup(originalPath: path, backupPath: backup.location, digest: FileDigest(hex: backup.digest)))
    }

    func removeBackup(_ backup: FileBackupReference) async throws {
        guard unlink(backup.location) == 0 || errno == ENOENT else {
            throw RotationPortError(.failed, "cannot remove the backup \(backup.location) (errno \(errno))")
        }
    }

    /// A removed file is `.noSuchEntity` for the engine (a rollback then leaves it removed).
    private func requireExisting(_ path: String) throws {
        var info = stat()
        if lstat(path, &info) != 0, errno == ENOENT {
            throw RotationPortError(.noSuchEntity, "\(path): does not exist (removed?); put it back or fix its path in the configuration")
        }
    }

    private func spec(_ path: String) throws -> CredentialFileSpec {
        guard let spec = specs[path] else {
            throw RotationPortError(.failed, "\(path) is not a configured file")
        }
        return spec
    }
}
