import DurableFS
import Foundation
import Glibc
import Testing

@Suite("Atomic replace")
struct AtomicReplaceTests {
    @Test("mode, owner, group and extended attributes (with a POSIX ACL) are kept")
    func metadataKept() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.file("config.yml", "old\n", mode: 0o640)
        #expect(chown(path, 4242, 4343) == 0)
        #expect(chmod(path, 0o640) == 0)
        #expect(LibC.setxattr(path, "user.keyrotd.test", Array("kept".utf8)) == 0)
        // version 2; USER_OBJ rw-, USER 1000 r--, GROUP_OBJ r--, MASK r--, OTHER ---
        let acl: [UInt8] = [2, 0, 0, 0] + [1, 0, 6, 0, 255, 255, 255, 255] + [2, 0, 4, 0, 0xE8, 3, 0, 0]
            + [4, 0, 4, 0, 255, 255, 255, 255] + [0x10, 0, 4, 0, 255, 255, 255, 255] + [0x20, 0, 0, 0, 255, 255, 255, 255]
        #expect(LibC.setxattr(path, "system.posix_acl_access", acl) == 0)
        let before = status(path)

        try DurableFS.replace(path, with: Array("new\n".utf8), ifDigestIs: FileDigest(of: Array("old\n".utf8)))

        let after = status(path)
        #expect(contents(path) == "new\n")
        #expect(after.st_ino != before.st_ino, "replaced by rename, not rewritten in place")
        #expect(after.st_mode & 0o7777 == 0o640)
        #expect(after.st_uid == 4242)
        #expect(after.st_gid == 4343)
        #expect(LibC.getxattr(path, "user.keyrotd.test") == Array("kept".utf8))
        #expect(LibC.getxattr(path, "system.posix_acl_access") == acl)
        #expect(directory.entries() == ["config.yml"])
    }

    @Test("compare-and-swap refuses when the file changed since it was read")
    func compareAndSwap() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.file("config.yml", "read\n")
        let digest = FileDigest(of: try DurableFS.read(path))
        _ = try directory.file("config.yml", "operator's edit\n")
        let error = durableError { try DurableFS.replace(path, with: Array("ours\n".utf8), ifDigestIs: digest) }
        #expect(error?.code == .changedSinceRead)
        #expect(error?.message.contains("\(path): changed since it was read; not overwritten") == true)
        #expect(contents(path) == "operator's edit\n")
        #expect(directory.entries() == ["config.yml"])
    }

    @Test("an unwritable directory is reported with the missing permission; nothing is written")
    func unwritableDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.file("config.yml", "old\n", mode: 0o666)
        #expect(chown(path, 65534, 65534) == 0)
        #expect(chmod(directory.path, 0o755) == 0)
        let error = LibC.asFileSystemUser(65534) {
            durableError { try DurableFS.replace(path, with: Array("new\n".utf8), ifDigestIs: nil) }
        }
        #expect(error?.code == .permissionDenied)
        #expect(error?.path == directory.path)
        #expect(error?.message.contains("write and search") == true)
        #expect(contents(path) == "old\n")
        #expect(directory.entries() == ["config.yml"])
    }

    @Test("without the right to chown, the replacement keeps the original's group and mode; the owner becomes keyrotd")
    func unprivilegedReplaceKeepsGroup() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(chown(directory.path, 0, 4343) == 0)
        #expect(chmod(directory.path, 0o2770) == 0)
        let path = try directory.file("config.yml", "old\n", mode: 0o660)
        #expect(chown(path, 4242, 4343) == 0)
        let error = LibC.asFileSystemUser(65534, group: 4343) {
            durableError { try DurableFS.replace(path, with: Array("new\n".utf8), ifDigestIs: nil) }
        }
        #expect(error == nil)
        #expect(contents(path) == "new\n")
        let info = status(path)
        #expect(info.st_uid == 65534)
        #expect(info.st_gid == 4343)
        #expect(info.st_mode & 0o7777 == 0o660)
    }

    @Test("without the file's group either, the replace is refused and the original stays")
    func unprivilegedReplaceWithoutTheGroupIsRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(chmod(directory.path, 0o777) == 0)
        let path = try directory.file("config.yml", "old\n", mode: 0o666)
        #expect(chown(path, 4242, 4343) == 0)
        let error = LibC.asFileSystemUser(65534, group: 65534) {
            durableError { try DurableFS.replace(path, with: Array("new\n".utf8), ifDigestIs: nil) }
        }
        #expect(error?.code == .permissionDenied)
        #expect(error?.message.contains("group") == true)
        #expect(contents(path) == "old\n")
        #expect(directory.entries() == ["config.yml"])
    }

    @Test("a full device gives a clear error, the original intact and no temp file left")
    func noSpace() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        guard mount("tmpfs", directory.path, "tmpfs", 0, "size=64k") == 0 else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record("cannot mount a small tmpfs (needs root in a private mount namespace)")
            }
            return
        }
        defer { umount(directory.path) }
        let path = try directory.file("config.yml", "old\n")
        let filler = FileManager.default.createFile(atPath: "\(directory.path)/filler", contents: nil)
        #expect(filler)
        if let handle = FileHandle(forWritingAtPath: "\(directory.path)/filler") {
            let block = Data(repeating: 0x41, count: 4096)
            while (try? handle.write(contentsOf: block)) != nil {}
            try? handle.close()
        }
        let error = durableError { try DurableFS.replace(path, with: [UInt8](repeating: 0x42, count: 65536), ifDigestIs: nil) }
        #expect(error?.code == .noSpace)
        #expect(error?.message.contains("untouched") == true)
        #expect(contents(path) == "old\n")
        #expect(directory.entries() == ["config.yml", "filler"])
    }

    @Test("a missing file is reported as such")
    func missing() {
        let error = durableError { try DurableFS.replace("/nonexistent/keyrotd/x", with: [], ifDigestIs: nil) }
        #expect(error?.code == .notFound)
    }
}

@Suite("Private writes and the state lock")
struct PrivateWriteAndLockTests {
    @Test("writePrivate creates or replaces a 0600 file")
    func privateWrite() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/state.json"
        try DurableFS.writePrivate(path, bytes: Array("one".utf8))
        chmod(path, 0o644)
        try DurableFS.writePrivate(path, bytes: Array("two".utf8))
        #expect(contents(path) == "two")
        #expect(status(path).st_mode & 0o7777 == 0o600)
        #expect(directory.entries() == ["state.json"])
    }

    @Test("a lock held by another process names its PID")
    func lockHeldByOtherProcess() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let lockPath = "\(directory.path)/keyrotd.lock"
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/bin/sh")
        holder.arguments = ["-c", "exec 9>>\"$0\"; flock 9; echo $$ > \"$0\"; exec sleep 30", lockPath]
        try holder.run()
        defer { holder.terminate(); holder.waitUntilExit() }
        var error: DurableFSError?
        for _ in 0..<200 where error == nil {
            usleep(20_000)
            if contents(lockPath).isEmpty || contents(lockPath) == "<unreadable>" { continue }
            error = durableError { _ = try StateDirectoryLock.acquire(directory: directory.path) }
        }
        #expect(error?.code == .lockHeld)
        #expect(error?.message.contains("process \(holder.processIdentifier)") == true)
    }

    @Test("the lock writes our PID and can be taken again after release")
    func lockRelease() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let lock = try StateDirectoryLock.acquire(directory: directory.path)
        #expect(contents(lock.path) == "\(getpid())\n")
        let second = durableError { _ = try StateDirectoryLock.acquire(directory: directory.path) }
        #expect(second?.code == .lockHeld)
        lock.release()
        let again = try StateDirectoryLock.acquire(directory: directory.path)
        again.release()
    }
}
