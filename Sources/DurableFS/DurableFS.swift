import Glibc

/// Durable file operations: reading, atomic replace with compare-and-swap, private writes.
///
/// Every write goes to a temp file in the target's directory, is fsynced, renamed over the target,
/// and the directory is fsynced; there is no non-atomic fallback.
public enum DurableFS {
    /// The largest file keyrotd reads: 1 MiB. Everything it reads is small: a Snowplow config.yml
    /// is about 5 KB, an AWS credentials file with dozens of profiles some tens of KB, keyrotd.yml
    /// and the state record a few KB. 1 MiB leaves two orders of magnitude of room while bounding
    /// what a wrong path (a log, an image) can cost: parsing holds a few copies of the text, so a
    /// read stays within a few MB of the unit's MemoryMax=.
    public static let maximumFileSize = 1 << 20

    /// The whole content of the regular file at `path` (see ``RegularFile`` for what is refused).
    public static func read(_ path: String, policy: RegularFile.Policy = .replaceable) throws(DurableFSError) -> [UInt8] {
        try RegularFile.open(path, policy: policy).readAll()
    }

    /// Replaces the file at `path` with `bytes` atomically, keeping its mode, owner, group, ACLs and
    /// extended attributes.
    ///
    /// - Parameter expected: when given, the digest of the content the caller read; the replace is
    ///   refused with ``DurableFSError/Code/changedSinceRead`` when the file now holds anything else.
    ///
    /// Compare-and-swap, as tight as POSIX allows: the file is re-read right before the rename, and
    /// the rename is an exchange (`renameat2(RENAME_EXCHANGE)`), so that what was displaced can be
    /// checked afterwards: when it is not the file and content that were checked (an editor saved
    /// or wrote in place in between), it is exchanged back and the replace refused. The residual
    /// window: a write into the new file between the exchange and that check is undone with the
    /// exchange back; a change after the check is seen by the caller's read-back. Where the file
    /// system cannot exchange, a plain rename is used and only an in-place write into the checked
    /// file is detected (and put back).
    public static func replace(_ path: String, with bytes: [UInt8], ifDigestIs expected: FileDigest?) throws(DurableFSError) {
        try replace(path, with: bytes, ifDigestIs: expected, beforeRename: {})
    }

    /// ``replace(_:with:ifDigestIs:)`` with `beforeRename` run between the last check and the
    /// rename: tests change the file there to exercise the compare-and-swap window.
    static func replace(_ path: String, with bytes: [UInt8], ifDigestIs expected: FileDigest?,
                        beforeRename: () -> Void) throws(DurableFSError) {
        let original = try RegularFile.open(path, policy: .replaceable)
        let info = try original.status()
        if let expected { try requireUnchanged(original.readAll(), path: path, expected: expected) }
        let attributes = try ExtendedAttributes.all(of: original)
        original.close()

        let temp = try prepareReplacement(beside: path, like: info, attributes: attributes)
        do throws(DurableFSError) {
            try temp.file.writeAll(bytes)
            try temp.file.sync()
            temp.file.close()
            guard let expected else {
                try temp.rename(over: path)
                try syncDirectory(of: path)
                return
            }
            let checked = try RegularFile.open(path, policy: .replaceable)
            try requireUnchanged(checked.readAll(), path: path, expected: expected)
            beforeRename()
            try swap(temp, into: path, checked: checked, expected: expected)
        } catch {
            temp.remove()
            throw error
        }
        try syncDirectory(of: path)
    }

    /// Puts `temp` at `path` and makes sure what it displaced is `checked` still holding `expected`;
    /// otherwise puts the displaced file back and refuses.
    private static func swap(_ temp: TempFile, into path: String, checked: FileDescriptor, expected: FileDigest) throws(DurableFSError) {
        let checkedInfo = try checked.status()
        guard try temp.exchange(with: path) else {
            try temp.rename(over: path)
            let displaced = try checked.readAll()
            guard FileDigest(of: displaced) == expected else {
                try? replace(path, with: displaced, ifDigestIs: nil)
                throw changed(path)
            }
            return
        }
        var displaced = stat()
        let sameFile = lstat(temp.path, &displaced) == 0 && displaced.st_dev == checkedInfo.st_dev && displaced.st_ino == checkedInfo.st_ino
        guard sameFile, let content = try? checked.readAll(), FileDigest(of: content) == expected else {
            _ = try? temp.exchange(with: path)
            throw changed(path)
        }
        temp.remove()
    }

    /// Removes keyrotd's own temp files beside `path` left by a process that was killed during a
    /// replace (they may hold a new secret); see ``TempFile/removeStale(beside:)``. Returns their paths.
    @discardableResult
    public static func removeStaleTempFiles(beside path: String) -> [String] {
        TempFile.removeStale(beside: path)
    }

    /// Why replacing the file at `path` would fail, found by preparing a replacement (a temp file
    /// beside it with its group, mode, owner where possible, ACLs and extended attributes) and
    /// removing it again; nil when a replace can keep all of that. Called when a target is read,
    /// so that a failure certain to repeat refuses a rotation before a key is created.
    public static func replaceProblem(_ path: String) -> DurableFSError? {
        do throws(DurableFSError) {
            let original = try RegularFile.open(path, policy: .replaceable)
            let info = try original.status()
            let attributes = try ExtendedAttributes.all(of: original)
            original.close()
            try prepareReplacement(beside: path, like: info, attributes: attributes).remove()
            return nil
        } catch {
            return error
        }
    }

    /// A new temp file beside `path` carrying the original's group, owner (when the process may),
    /// mode and extended attributes, ready to receive the content.
    private static func prepareReplacement(beside path: String, like info: stat,
                                           attributes: [(name: String, value: [UInt8])]) throws(DurableFSError) -> TempFile {
        let temp = try TempFile.create(beside: path)
        do throws(DurableFSError) {
            try keepOwnership(of: temp, like: info)
            if fchmod(temp.file.raw, info.st_mode & 0o7777) != 0 {
                throw DurableFSError.fromErrno(errno, call: "fchmod", path: temp.path)
            }
            try ExtendedAttributes.apply(attributes, to: temp.file, original: path)
            return temp
        } catch {
            temp.remove()
            throw error
        }
    }

    /// Gives the temp file the original's group, and its owner when the process may.
    ///
    /// Only what differs is changed: an unprivileged process (keyrotd's own user, writing through
    /// a group) cannot give a file away, so the replacement is then owned by that user; the group
    /// (often already right through a setgid folder) must be kept, else the replace is refused.
    /// "Cannot keep the owner" is EPERM, or EINVAL in a user namespace (`PrivateUsers=`) where the
    /// owner is not mapped; either way the replacement is owned by keyrotd's user.
    static func keepOwnership(of temp: TempFile, like original: stat) throws(DurableFSError) {
        let current = try temp.file.status()
        if current.st_gid != original.st_gid, fchown(temp.file.raw, ~uid_t(0), original.st_gid) != 0 {
            throw DurableFSError.fromErrno(errno, call: "fchown to group \(original.st_gid) (make the folder setgid to that group, or add keyrotd's user to it)", path: temp.path)
        }
        if current.st_uid != original.st_uid, fchown(temp.file.raw, original.st_uid, ~gid_t(0)) != 0, errno != EPERM, errno != EINVAL {
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
        guard FileDigest(of: current) == expected else { throw changed(path) }
    }

    private static func changed(_ path: String) -> DurableFSError {
        DurableFSError(code: .changedSinceRead, path: path,
                       message: "\(path): changed since it was read; not overwritten (someone edited it; run the rotation again to pick up the new content)")
    }
}
