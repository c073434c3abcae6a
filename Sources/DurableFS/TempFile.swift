import Glibc

/// A new, exclusively created file next to a target, to be renamed over it or removed.
struct TempFile {
    let path: String
    let file: FileDescriptor

    /// Creates `.NAME.keyrotd-PID-N.tmp` in the directory of `target` with mode 0600.
    static func create(beside target: String) throws(DurableFSError) -> TempFile {
        let directory = DurableFS.directory(of: target)
        let name = target.split(separator: "/").last.map(String.init) ?? target
        for attempt in 0..<100 {
            let candidate = "\(directory)/.\(name).keyrotd-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(attempt).tmp"
            let raw = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if raw >= 0 { return TempFile(path: candidate, file: FileDescriptor(raw: raw, path: candidate)) }
            if errno == EEXIST { continue }
            let number = errno
            if number == EACCES || number == EPERM {
                throw DurableFSError(code: .permissionDenied, path: directory,
                                     message: "\(directory): permission denied: keyrotd needs write and search (w+x) permission on this directory to create a temp file next to \(name) for an atomic replace; grant it, nothing was written")
            }
            throw .fromErrno(number, call: "creating a temp file in the directory", path: directory)
        }
        throw DurableFSError(code: .systemCallFailed, path: directory, message: "\(directory): could not find a free temp file name")
    }

    func rename(over target: String) throws(DurableFSError) {
        guard Glibc.rename(path, target) == 0 else {
            throw .fromErrno(errno, call: "rename of the temp file over the original", path: target, permission: "directory write")
        }
    }

    /// Closes and unlinks the temp file (best effort: it is being abandoned after another error).
    func remove() {
        file.close()
        _ = unlink(path)
    }
}
