import Glibc

/// A failure of a durable file operation. The message names the file or directory and says what to do.
public struct DurableFSError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// The file does not exist.
        case notFound
        /// A permission is missing (the message says which, on which path).
        case permissionDenied
        /// The file system is mounted read-only.
        case readOnlyFileSystem
        /// No space (or quota) left on the device; the original was left intact.
        case noSpace
        /// The device reported an I/O error; the original was left intact.
        case ioError
        /// Compare-and-swap refused: the file's content differs from what was read.
        case changedSinceRead
        /// A FIFO, socket, directory, device or symbolic link where a regular file belongs.
        case notRegularFile
        /// A file keyrotd replaces has several hard links: the other names would keep the old content.
        case multipleLinks
        /// A file larger than ``DurableFS/maximumFileSize``.
        case tooLarge
        /// A replacement cannot carry the original's ACL or another extended attribute.
        case attributesNotKept
        /// The state directory belongs to another user.
        case foreignOwner
        /// The state directory lock is held by another process.
        case lockHeld
        /// Any other system call failure (the message has the call and errno text).
        case systemCallFailed
    }

    public let code: Code
    public let path: String
    public let message: String

    public init(code: Code, path: String, message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { message }

    /// Maps an errno of `call` on `path` to an error with a message that says what to do.
    static func fromErrno(_ number: Int32, call: String, path: String, permission: String? = nil) -> DurableFSError {
        let reason = String(cString: strerror(number))
        switch number {
        case ENOENT:
            return .init(code: .notFound, path: path, message: "\(path): does not exist (\(call))")
        case EACCES, EPERM:
            let needed = permission.map { " (needs \($0) permission)" } ?? ""
            return .init(code: .permissionDenied, path: path,
                         message: "\(path): permission denied\(needed) during \(call); grant keyrotd's user that permission")
        case EROFS:
            return .init(code: .readOnlyFileSystem, path: path,
                         message: "\(path): the file system is read-only (\(call)); remount it read-write or move the file")
        case ENOSPC, EDQUOT:
            return .init(code: .noSpace, path: path,
                         message: "\(path): no space left on device (\(call)); the original file is untouched, free some space and retry")
        case EIO:
            return .init(code: .ioError, path: path,
                         message: "\(path): I/O error from the device (\(call)); the original file is untouched, check the disk")
        default:
            return .init(code: .systemCallFailed, path: path, message: "\(path): \(call) failed: \(reason)")
        }
    }
}
