import Glibc

/// Durable file operations: reading, atomic replace with compare-and-swap, private writes.
///
/// Every write goes to a temp file in the target's directory, is fsynced, renamed over the target,
/// and the directory is fsynced; there is no non-atomic fallback.
public enum DurableFS {
    /// The whole content of the file at `path`.
    public static func read(_ path: String) throws(DurableFSError) -> [UInt8] {
        let file = try FileDescriptor.open(path, flags: O_RDONLY, permission: "read")
        return try file.readAll()
    }

    /// Replaces the file at `path` with `bytes` atomically, keeping its mode, owner, group, ACLs and
    /// extended attributes.
    ///
    /// - Parameter expected: when given, the digest of the content the caller read; the replace is
    ///   refused with ``DurableFSError/Code/changedSinceRead`` when the file now holds anything else.
    public static func replace(_ path: String, with bytes: [UInt8], ifDigestIs expected: FileDigest?) throws(DurableFSError) {
        let original = try FileDescriptor.open(path, flags: O_RDONLY, permission: "read")
        let info = try original.status()
        if let expected { try requireUnchanged(original.readAll(), path: path, expected: expected) }
        let attributes = try ExtendedAttributes.all(of: original)
        original.close()

        let temp = try TempFile.create(beside: path)
        do throws(DurableFSError) {
            try temp.file.writeAll(bytes)
            try keepOwnership(of: temp, uid: info.st_uid, gid: info.st_gid, original: path)
            if fchmod(temp.file.raw, info.st_mode & 0o7777) != 0 {
                throw DurableFSError.fromErrno(errno, call: "fchmod", path: temp.path)
            }
            try ExtendedAttributes.apply(attributes, to: temp.file)
            try temp.file.sync()
            temp.file.close()
            if let expected { try requireUnchanged(read(path), path: path, expected: expected) }
            try temp.rename(over: path)
        } catch {
            temp.remove()
            throw error
        }
        try syncDirectory(of: path)
    }

    /// Gives the replacement the original's owner and group. An unprivileged keyrotd (the systemd
    /// unit runs as user `keyrotd` with no capabilities) cannot give a file to another user: the
    /// replacement is then owned by keyrotd but keeps the original's group, which is what grants
    /// access (the group-writable setup of systemd/README.md). Without that group either, the
    /// replace is refused, so that nobody loses access to the file.
    static func keepOwnership(of temp: TempFile, uid: uid_t, gid: gid_t, original path: String) throws(DurableFSError) {
        if fchown(temp.file.raw, uid, gid) == 0 { return }
        let number = errno
        guard number == EPERM || number == EINVAL, fchown(temp.file.raw, uid_t.max, gid) == 0 else {
            throw DurableFSError(code: .permissionDenied, path: path,
                                 message: "\(path): cannot give the replacement the original's owner \(uid) and group \(gid) (\(String(cString: strerror(number)))); run keyrotd as the file's owner or as a member of its group (see systemd/README.md)")
        }
    }

    /// Writes `bytes` to `path` with mode 0600 (a state record or a backup): an exclusive new temp
    /// file, fsync, rename over `path`, fsync of the directory.
    public static func writePrivate(_ path: String, bytes: [UInt8]) throws(DurableFSError) {
        let temp = try TempFile.create(beside: path)
        do throws(DurableFSError) {
            try temp.file.writeAll(bytes)
            if fchmod(temp.file.raw, 0o600) != 0 { throw DurableFSError.fromErrno(errno, call: "fchmod", path: temp.path) }
            try temp.file.sync()
            temp.file.close()
            try temp.rename(over: path)
        } catch {
            temp.remove()
            throw error
        }
        try syncDirectory(of: path)
    }

    /// The directory part of `path` (`.` for a bare name).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = String(path[..<slash])
        return directory.isEmpty ? "/" : directory
    }

    static func syncDirectory(of path: String) throws(DurableFSError) {
        let directory = try FileDescriptor.open(directory(of: path), flags: O_RDONLY | O_DIRECTORY, permission: "read")
        try directory.sync()
    }

    private static func requireUnchanged(_ current: [UInt8], path: String, expected: FileDigest) throws(DurableFSError) {
        guard FileDigest(of: current) == expected else {
            throw DurableFSError(code: .changedSinceRead, path: path,
                                 message: "\(path): changed since it was read; not overwritten (someone edited it; run the rotation again to pick up the new content)")
        }
    }
}
