import CredentialFiles
import DurableFS
import Foundation
import Glibc
import KeyrotCore
import Testing

@Suite("Writing, backups and restore")
struct WriteTests {
    static let old = credentials("AKIAOLD0000000000000", "old/secret+0000000000000000000000000000")
    static let new = credentials("AKIANEW0000000000000", "new/secret+1111111111111111111111111111")
    static let text = "[default]\naws_access_key_id = AKIAOLD0000000000000\naws_secret_access_key = old/secret+0000000000000000000000000000\n"

    @Test("write refuses when the file changed since it was read, and leaves the edit alone")
    func changedSinceRead() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.file("credentials", Self.text.bytes)
        let spec = CredentialFileSpec(path: path, format: .awsCredentials)
        let original = try CredentialFiles.read(spec)
        let rewritten = try CredentialFiles.rewrite(original, replacing: Self.old.accessKeyID, with: Self.new)
        let edited = Self.text + "# operator's edit\n"
        _ = try directory.file("credentials", edited.bytes)
        let error = credentialError { try CredentialFiles.write(rewritten, over: original) }
        #expect(error?.code == .fileSystem)
        #expect(error?.underlying?.code == .changedSinceRead)
        #expect(error?.description.contains("changed since it was read; not overwritten") == true)
        #expect(error?.description.contains(Self.new.secretAccessKey.revealed()) == false)
        #expect(String(decoding: try DurableFS.read(path), as: UTF8.self) == edited)
    }

    @Test("backup is a 0600 copy; restore puts it back keeping the target's mode and owner")
    func backupAndRestore() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let state = "\(directory.path)/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let path = try directory.file("credentials", Self.text.bytes)
        #expect(chmod(path, 0o640) == 0)
        #expect(chown(path, 4242, 4343) == 0)
        let spec = CredentialFileSpec(path: path, format: .awsCredentials)
        let original = try CredentialFiles.read(spec)
        let backup = try CredentialFiles.backup(original, into: state)
        var info = stat()
        #expect(stat(backup.backupPath, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o600)
        #expect(backup.digest == original.digest)

        try CredentialFiles.write(CredentialFiles.rewrite(original, replacing: Self.old.accessKeyID, with: Self.new), over: original)
        #expect(try CredentialFiles.read(spec).pairs.map(\.accessKeyID) == [Self.new.accessKeyID])

        try CredentialFiles.restore(backup)
        #expect(try DurableFS.read(path) == Self.text.bytes)
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o640)
        #expect(info.st_uid == 4242 && info.st_gid == 4343)
    }

    @Test("a tampered backup is not restored")
    func tamperedBackup() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.file("credentials", Self.text.bytes)
        let original = try CredentialFiles.read(CredentialFileSpec(path: path, format: .awsCredentials))
        let backup = try CredentialFiles.backup(original, into: directory.path)
        _ = try directory.file(String(backup.backupPath.split(separator: "/").last!), "garbage".bytes)
        let error = credentialError { try CredentialFiles.restore(backup) }
        #expect(error?.code == .verificationFailed)
        #expect(try DurableFS.read(path) == Self.text.bytes)
    }
}
