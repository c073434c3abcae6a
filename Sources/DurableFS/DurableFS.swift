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
            try keepOwnership(of: temp, like: info)
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

    /// Gives the temp file the original's group, and its owner when the process may.
    ///
    /// Only what differs is changed: an unprivileged process (keyrotd's own user, writing through
    /// a group) cannot give a file away, so the replacement is then owned by that user; the group
    /// (often already right through a setgid folder) must be kept, else the replace is refused.
    /// Under `PrivateUsers=` an unmapped group reads as the overflow id on both files and needs no change.
    static func keepOwnership(of temp: TempFile, like original: stat) throws(DurableFSError) {
        let current = try temp.file.status()
        if current.st_gid != original.st_gid, fchown(temp.file.raw, ~uid_t(0), original.st_gid) != 0 {
            throw DurableFSError.fromErrno(errno, call: "fchown to group \(original.st_gid) (make the folder setgid to that group, or add keyrotd's user to it)", path: temp.path)
        }
        if current.st_uid != original.st_uid, fchown(temp.file.raw, original.st_uid, ~gid_t(0)) != 0, errno != EPERM {
            throw DurableFSError.fromErrno(errno, call: "fchown to owner \(original.st_uid)", path: temp.path)
        }
    }

    /// Writes `bytes` to `path` with mode 0600 (a state record or a backup): an exclusive new temp
    /// file, fsync, rename over `path`, fsync of the directory.
    public static func writePrivate(_ path: String, bytes: [UInt8]) throws(DurableFSError) {
        try write(path, bytes: bytes, mode: 0o600)
    }

    /// Writes `bytes` to `path` with `mode`, atomically and durably like ``writePrivate(_:bytes:)``;
    /// for files that others must read and that hold no secret (the metrics textfile).
    public static func write(_ path: String, bytes: [UInt8], mode: mode_t) throws(DurableFSError) {
        let temp = try TempFile.create(beside: path)
        do throws(DurableFSError) {
            try temp.file.writeAll(bytes)
            if fchmod(temp.file.raw, mode) != 0 { throw DurableFSError.fromErrno(errno, call: "fchmod", path: temp.path) }
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
