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

    /// Removes the temp files a killed keyrotd left beside `target` (they may hold a new secret):
    /// only names of keyrotd's own pattern for this target, only regular files owned by this user,
    /// only when the process that made them no longer runs. Returns the removed paths.
    static func removeStale(beside target: String) -> [String] {
        let directory = DurableFS.directory(of: target)
        let name = target.split(separator: "/").last.map(String.init) ?? target
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var removed: [String] = []
        while let entry = readdir(stream) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            guard let pid = creator(of: entryName, target: name), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            let candidate = "\(directory)/\(entryName)"
            var info = stat()
            guard lstat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid() else { continue }
            if unlink(candidate) == 0 { removed.append(candidate) }
        }
        return removed
    }

    /// The PID in `.NAME.keyrotd-PID-RANDOM-ATTEMPT.tmp` when `entry` is a temp file of `target`'s name.
    static func creator(of entry: String, target: String) -> pid_t? {
        let prefix = ".\(target).keyrotd-"
        guard entry.hasPrefix(prefix), entry.hasSuffix(".tmp") else { return nil }
        let fields = entry.dropFirst(prefix.count).dropLast(4).split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count == 3, fields.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let pid = pid_t(fields[0]), pid > 0 else { return nil }
        return pid
    }

    func rename(over target: String) throws(DurableFSError) {
        guard Glibc.rename(path, target) == 0 else {
            throw .fromErrno(errno, call: "rename of the temp file over the original", path: target, permission: "directory write")
        }
    }

    /// Atomically exchanges the temp file and `target` (`renameat2(RENAME_EXCHANGE)`): afterwards
    /// `target` is the new file and this path holds what `target` was. False when the kernel or
    /// the file system cannot exchange (nothing changed then; use ``rename(over:)``).
    func exchange(with target: String) throws(DurableFSError) -> Bool {
        typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return false }
        let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
        let exchange: UInt32 = 2  // RENAME_EXCHANGE from <linux/fs.h>
        guard renameat2(AT_FDCWD, path, AT_FDCWD, target, exchange) == 0 else {
            let number = errno
            if number == EINVAL || number == ENOSYS || number == ENOTSUP { return false }
            throw .fromErrno(number, call: "exchange of the temp file with the original", path: target, permission: "directory write")
        }
        return true
    }

    /// Closes and unlinks the temp file (best effort: it is being abandoned after another error).
    func remove() {
        file.close()
        _ = unlink(path)
    }
}
