import Glibc

/// An exclusive lock on keyrotd's state directory: `flock` on `DIR/keyrotd.lock`, which also holds
/// the holder's PID so that a second instance can say who holds it. Released on ``release()`` or
/// when the process exits.
public final class StateDirectoryLock: @unchecked Sendable {
    /// The lock file's path.
    public let path: String
    private let file: FileDescriptor

    private init(path: String, file: FileDescriptor) {
        self.path = path
        self.file = file
    }

    deinit { file.close() }

    /// Takes the lock without waiting, or throws ``DurableFSError/Code/lockHeld`` naming the holder's PID.
    /// A directory owned by another user is refused first (``requireOwnedByUs(_:)``).
    public static func acquire(directory: String) throws(DurableFSError) -> StateDirectoryLock {
        try requireOwnedByUs(directory)
        let path = StateDirectoryLayout(directory).lock
        let file = try FileDescriptor.open(path, flags: O_RDWR | O_CREAT, mode: 0o600, permission: "read and write")
        guard flock(file.raw, LOCK_EX | LOCK_NB) == 0 else {
            let number = errno
            guard number == EWOULDBLOCK else { throw .fromErrno(number, call: "flock", path: path) }
            let holder = String(decoding: (try? file.readAll()) ?? [], as: UTF8.self)
                .trimmingCharacters(in: " \n")
            let who = holder.isEmpty ? "another process" : "process \(holder)"
            throw DurableFSError(code: .lockHeld, path: path,
                                 message: "\(path): the state directory is locked by \(who); another keyrotd is running, stop it first")
        }
        let pid = Array("\(getpid())\n".utf8)
        guard ftruncate(file.raw, 0) == 0 else { throw .fromErrno(errno, call: "ftruncate", path: path) }
        try file.writeAll(pid)
        try file.sync()
        return StateDirectoryLock(path: path, file: file)
    }

    /// The state directory holds the secrets of a rotation in flight and the backups; its owner can
    /// read them, replace the record, or swap the directory's entries under keyrotd. Only a
    /// directory owned by keyrotd's own (effective) user is used.
    public static func requireOwnedByUs(_ directory: String) throws(DurableFSError) {
        var info = stat()
        guard stat(directory, &info) == 0 else { throw .fromErrno(errno, call: "stat", path: directory) }
        let user = geteuid()
        guard info.st_uid != user else { return }
        throw DurableFSError(code: .foreignOwner, path: directory,
                             message: "\(directory): the state directory is owned by user \(info.st_uid), not by keyrotd's user \(user); that user could read the secrets of a rotation in flight or replace the record. Use a directory owned by keyrotd's user (chown \(user) \(directory)) or set state_dir")
    }

    /// Releases the lock; the file stays (removing it would race with the next holder).
    public func release() {
        _ = flock(file.raw, LOCK_UN)
        file.close()
    }
}

private extension String {
    func trimmingCharacters(in set: String) -> String {
        var characters = Substring(self)
        while let first = characters.first, set.contains(first) { characters.removeFirst() }
        while let last = characters.last, set.contains(last) { characters.removeLast() }
        return String(characters)
    }
}
