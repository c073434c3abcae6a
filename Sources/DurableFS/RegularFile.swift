import Glibc

/// Opening the files keyrotd reads whole (targets, backups, the state record, keyrotd.yml) so that
/// no hostile or mistaken file can stall or exhaust the process.
///
/// The open never blocks (`O_NONBLOCK`: a FIFO without a writer would otherwise hang in `open`),
/// never makes a terminal the controlling one, and then anything but a regular file is refused by
/// its type: FIFO, socket, directory, device (`/dev/zero`), symbolic link. Content beyond
/// ``DurableFS/maximumFileSize`` is refused rather than read.
public enum RegularFile {
    /// How a file that is replaced (a target, a backup, the record) differs from one only read.
    public enum Policy: Sendable {
        /// A file keyrotd replaces by renaming a new file over it. A final symbolic link is refused
        /// (the rename would replace the link and leave the file it points to with the old key),
        /// and so is a file with several hard links (the other names would keep the old key).
        case replaceable
        /// A file only read (keyrotd.yml): symbolic links are followed, hard links are harmless.
        case readOnly
    }

    /// Opens `path` for reading under `policy`, refusing everything but a regular file of at most
    /// ``DurableFS/maximumFileSize`` bytes with an error that names the file and says what to do.
    static func open(_ path: String, policy: Policy) throws(DurableFSError) -> FileDescriptor {
        var flags = O_RDONLY | O_NONBLOCK | O_NOCTTY
        if case .replaceable = policy { flags |= O_NOFOLLOW }
        let raw = Glibc.open(path, flags | O_CLOEXEC, 0)
        guard raw >= 0 else { throw openFailure(errno, path: path, policy: policy) }
        let file = FileDescriptor(raw: raw, path: path)
        let info = try file.status()
        try requireRegular(info, path: path)
        if case .replaceable = policy, info.st_nlink > 1 {
            throw DurableFSError(code: .multipleLinks, path: path,
                                 message: "\(path): has \(info.st_nlink) hard links; an atomic replace gives this name a new file and the other names would keep the old key. Keep one name (remove the other links, or make them symbolic links to this file)")
        }
        guard info.st_size <= DurableFS.maximumFileSize else {
            throw tooLarge(path, size: Int(info.st_size))
        }
        return file
    }

    static func requireRegular(_ info: stat, path: String) throws(DurableFSError) {
        guard info.st_mode & S_IFMT != S_IFREG else { return }
        throw DurableFSError(code: .notRegularFile, path: path,
                             message: "\(path): is \(kind(of: info.st_mode)), not a regular file; keyrotd reads and replaces regular files only: point the entry at the file that holds the key")
    }

    static func tooLarge(_ path: String, size: Int?) -> DurableFSError {
        let actual = size.map { " (\($0) bytes)" } ?? ""
        return DurableFSError(code: .tooLarge, path: path,
                              message: "\(path): is larger than \(DurableFS.maximumFileSize) bytes\(actual), far more than a file of credentials or settings holds; not read. Check that the path names the right file")
    }

    private static func openFailure(_ number: Int32, path: String, policy: Policy) -> DurableFSError {
        switch number {
        case ELOOP:
            var info = stat()
            if case .replaceable = policy, lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
                let target = linkTarget(path).map { " (to \($0))" } ?? ""
                return DurableFSError(code: .notRegularFile, path: path,
                                      message: "\(path): is a symbolic link\(target); keyrotd replaces a file by renaming a new one over it, which would replace the link and leave the file it points to with the old key. Configure the real file's path instead")
            }
            return DurableFSError(code: .notRegularFile, path: path,
                                  message: "\(path): too many levels of symbolic links (a loop?); fix the links or configure the real file's path")
        case ENXIO:
            return DurableFSError(code: .notRegularFile, path: path,
                                  message: "\(path): is a socket or a device without a driver, not a regular file; point the entry at the file that holds the key")
        default:
            return .fromErrno(number, call: "open", path: path, permission: "read")
        }
    }

    private static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink(path, &buffer, buffer.count - 1)
        guard length >= 0 else { return nil }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        case S_IFDIR: return "a directory"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }
}
