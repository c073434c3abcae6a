import Glibc

/// An open file descriptor with the few operations durable writes need; closes itself once.
final class FileDescriptor {
    let raw: Int32
    let path: String
    private var isOpen = true

    init(raw: Int32, path: String) {
        self.raw = raw
        self.path = path
    }

    deinit { close() }

    /// Opens `path`; `permission` names the access that a denial means is missing.
    static func open(_ path: String, flags: Int32, mode: mode_t = 0, permission: String? = nil) throws(DurableFSError) -> FileDescriptor {
        let raw = Glibc.open(path, flags | O_CLOEXEC, mode)
        guard raw >= 0 else { throw .fromErrno(errno, call: "open", path: path, permission: permission) }
        return FileDescriptor(raw: raw, path: path)
    }

    func close() {
        guard isOpen else { return }
        isOpen = false
        _ = Glibc.close(raw)
    }

    func writeAll(_ bytes: [UInt8]) throws(DurableFSError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Glibc.write(raw, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw .fromErrno(errno, call: "write", path: path)
            }
            offset += written
        }
    }

    /// The content from the start of the file, refused beyond ``DurableFS/maximumFileSize`` bytes
    /// (a file may grow after its size was checked, and some report no size at all).
    func readAll() throws(DurableFSError) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.pread(raw, $0.baseAddress, $0.count, off_t(result.count)) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .fromErrno(errno, call: "read", path: path)
            }
            if count == 0 { return result }
            guard result.count + count <= DurableFS.maximumFileSize else { throw RegularFile.tooLarge(path, size: nil) }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    func sync() throws(DurableFSError) {
        guard fsync(raw) == 0 else { throw .fromErrno(errno, call: "fsync", path: path) }
    }

    func status() throws(DurableFSError) -> stat {
        var info = stat()
        guard fstat(raw, &info) == 0 else { throw .fromErrno(errno, call: "fstat", path: path) }
        return info
    }
}
