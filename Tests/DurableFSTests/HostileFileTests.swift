import DurableFS
import Foundation
import Glibc
import Testing

/// Special files, links and oversized files where a target belongs: refused at once with an error
/// naming the file, for reads, for the compare-and-swap re-read of a replace, and for restores.
@Suite("Hostile files")
struct HostileFileTests {
    /// Runs `body` on a background thread and gives up after 10 s, so that a regression (a read
    /// blocking in `open` on a FIFO) fails the test instead of hanging the suite.
    static func withinTenSeconds<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T? {
        await withCheckedContinuation { continuation in
            let once = Once(continuation)
            Thread.detachNewThread { once.resume(body()) }
            Thread.detachNewThread { Thread.sleep(forTimeInterval: 10); once.resume(nil) }
        }
    }

    @Test("a FIFO is refused without blocking, for a read and for a replace")
    func fifo() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/config.yml"
        #expect(mkfifo(path, 0o600) == 0)
        let errors = await Self.withinTenSeconds {
            [durableError { _ = try DurableFS.read(path) },
             durableError { try DurableFS.replace(path, with: Array("new\n".utf8), ifDigestIs: nil) },
             durableError { _ = try DurableFS.read(path, policy: .readOnly) }]
        }
        #expect(errors != nil, "reading a FIFO blocked")
        for error in errors ?? [] {
            #expect(error?.code == .notRegularFile)
            #expect(error?.message.contains("\(path): is a FIFO (named pipe), not a regular file") == true)
        }
        #expect(directory.entries() == ["config.yml"])
    }

    @Test("a directory, a device and a socket are refused by type")
    func otherTypes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let folder = directory.path + "/folder"
        #expect(mkdir(folder, 0o700) == 0)
        #expect(durableError { _ = try DurableFS.read(folder) }?.message.contains("is a directory") == true)
        #expect(durableError { _ = try DurableFS.read("/dev/null") }?.message.contains("/dev/null: is a character device") == true)

        let socketPath = directory.path + "/socket"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in socketPath.utf8.enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        let error = durableError { _ = try DurableFS.read(socketPath) }
        #expect(error?.code == .notRegularFile)
        #expect(error?.message.hasPrefix("\(socketPath): is a socket") == true)
    }

    @Test("a symbolic link in place of a target is refused with the real path to configure; a loop too")
    func symbolicLinks() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let real = try directory.file("real.yml", "old\n")
        let link = directory.path + "/config.yml"
        #expect(symlink(real, link) == 0)
        for error in [durableError { _ = try DurableFS.read(link) },
                      durableError { try DurableFS.replace(link, with: Array("new\n".utf8), ifDigestIs: nil) }] {
            #expect(error?.code == .notRegularFile)
            #expect(error?.message.contains("\(link): is a symbolic link (to \(real))") == true)
            #expect(error?.message.contains("Configure the real file's path") == true)
        }
        #expect(contents(real) == "old\n")
        var info = stat()
        #expect(lstat(link, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK, "the link was left as it was")
        // A file only read (keyrotd.yml) may be a link.
        #expect(try DurableFS.read(link, policy: .readOnly) == Array("old\n".utf8))

        let loop = directory.path + "/loop"
        #expect(symlink(loop, loop) == 0)
        #expect(durableError { _ = try DurableFS.read(loop) }?.code == .notRegularFile)
        let error = durableError { _ = try DurableFS.read(loop, policy: .readOnly) }
        #expect(error?.code == .notRegularFile)
        #expect(error?.message.contains("too many levels of symbolic links") == true)
    }

    @Test("a target with several hard links is refused: the other names would keep the old key")
    func hardLinks() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.file("config.yml", "old\n")
        let other = directory.path + "/copy.yml"
        #expect(link(path, other) == 0)
        let error = durableError { try DurableFS.replace(path, with: Array("new\n".utf8), ifDigestIs: nil) }
        #expect(error?.code == .multipleLinks)
        #expect(error?.message.contains("\(path): has 2 hard links") == true)
        #expect(contents(path) == "old\n" && contents(other) == "old\n")
        #expect(durableError { _ = try DurableFS.read(path) }?.code == .multipleLinks)
    }

    @Test("a file larger than the limit is refused before it is read; a link to /dev/zero by type")
    func oversized() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/big.yml"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        #expect(truncate(path, off_t(256 << 20)) == 0, "a sparse 256 MB file")
        let error = durableError { _ = try DurableFS.read(path) }
        #expect(error?.code == .tooLarge)
        #expect(error?.message.contains("\(path): is larger than 1048576 bytes (268435456 bytes)") == true)
        #expect(truncate(path, off_t(DurableFS.maximumFileSize)) == 0)
        #expect(try DurableFS.read(path).count == DurableFS.maximumFileSize, "the limit itself is allowed")

        let zero = directory.path + "/zero.yml"
        #expect(symlink("/dev/zero", zero) == 0)
        let followed = durableError { _ = try DurableFS.read(zero, policy: .readOnly) }
        #expect(followed?.code == .notRegularFile)
        #expect(followed?.message.contains("is a character device") == true)
    }

    @Test("a state directory owned by another user is refused before the lock is taken")
    func foreignStateDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(chown(directory.path, 4242, 4242) == 0)
        let error = durableError { _ = try StateDirectoryLock.acquire(directory: directory.path) }
        #expect(error?.code == .foreignOwner)
        #expect(error?.message.contains("owned by user 4242, not by keyrotd's user \(geteuid())") == true)
        #expect(directory.entries().isEmpty, "no lock file was created")
        #expect(chown(directory.path, geteuid(), getegid()) == 0)
        #expect(throws: Never.self) { try StateDirectoryLock.acquire(directory: directory.path).release() }
    }
}

/// Resumes a continuation once, whichever of two threads comes first.
final class Once<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T?, Never>?

    init(_ continuation: CheckedContinuation<T?, Never>) { self.continuation = continuation }

    func resume(_ value: T?) {
        lock.lock()
        let pending = continuation
        continuation = nil
        lock.unlock()
        pending?.resume(returning: value)
    }
}
