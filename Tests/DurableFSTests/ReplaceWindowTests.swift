@testable import DurableFS
import Foundation
import Glibc
import Testing

/// The compare-and-swap window between the last check and the rename, the probe that finds a
/// replace that cannot keep a file's attributes, and the recovery of a killed replace's temp files.
@Suite("Replace window, probe and recovery")
struct ReplaceWindowTests {
    static let old = Array("old\n".utf8)

    @Test("a file saved by an editor (a rename) between the check and the rename is put back, the replace refused")
    func editorSaveInWindow() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.file("config.yml", "old\n")
        let error = durableError {
            try DurableFS.replace(path, with: Array("ours\n".utf8), ifDigestIs: FileDigest(of: Self.old)) {
                _ = try? directory.file("editor.tmp", "operator's edit\n")
                rename(directory.path + "/editor.tmp", path)
            }
        }
        #expect(error?.code == .changedSinceRead)
        #expect(contents(path) == "operator's edit\n")
        #expect(directory.entries() == ["config.yml"])
    }

    @Test("a write in place between the check and the rename is put back, the replace refused")
    func inPlaceWriteInWindow() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.file("config.yml", "old\n")
        let error = durableError {
            try DurableFS.replace(path, with: Array("ours\n".utf8), ifDigestIs: FileDigest(of: Self.old)) {
                let handle = FileHandle(forWritingAtPath: path)
                handle?.write(Data("new\n".utf8))
                try? handle?.close()
            }
        }
        #expect(error?.code == .changedSinceRead)
        #expect(contents(path) == "new\n")
        #expect(directory.entries() == ["config.yml"])
    }

    @Test("without a change in the window the replace goes through and leaves no temp file")
    func quietWindow() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.file("config.yml", "old\n", mode: 0o640)
        try DurableFS.replace(path, with: Array("ours\n".utf8), ifDigestIs: FileDigest(of: Self.old)) {}
        #expect(contents(path) == "ours\n")
        #expect(status(path).st_mode & 0o7777 == 0o640)
        #expect(directory.entries() == ["config.yml"])
    }

    @Test("the probe finds a replace that cannot keep the file's group, without leaving a file")
    func probeFindsGroupProblem() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(chmod(directory.path, 0o777) == 0)
        let path = try directory.file("config.yml", "old\n", mode: 0o666)
        #expect(chown(path, 4242, 4343) == 0)
        let problem = LibC.asFileSystemUser(65534, group: 65534) { DurableFS.replaceProblem(path) }
        #expect(problem?.code == .permissionDenied)
        #expect(problem?.message.contains("group 4343") == true)
        #expect(directory.entries() == ["config.yml"])
        #expect(DurableFS.replaceProblem(path) == nil, "root can keep everything")
        #expect(directory.entries() == ["config.yml"])
    }

    @Test("a killed replace's temp files are removed; other files, live writers' and other users' are not")
    func staleTempFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.file("config.yml", "old\n")
        let dead = Self.deadPID()
        let stale = try directory.file(".config.yml.keyrotd-\(dead)-123-0.tmp", "AKIA… secret\n", mode: 0o600)
        _ = try directory.file(".config.yml.keyrotd-\(getpid())-5-0.tmp", "ours, in flight\n")
        _ = try directory.file(".other.yml.keyrotd-\(dead)-1-0.tmp", "another target's\n")
        _ = try directory.file(".config.yml.keyrotd-\(dead)-x-0.tmp", "not our pattern\n")
        let foreign = try directory.file(".config.yml.keyrotd-\(dead)-9-1.tmp", "another user's\n")
        #expect(chown(foreign, 4242, 4242) == 0)
        #expect(mkdir(directory.path + "/.config.yml.keyrotd-\(dead)-7-0.tmp", 0o700) == 0)

        #expect(DurableFS.removeStaleTempFiles(beside: path) == [stale])
        #expect(directory.entries() == [
            ".config.yml.keyrotd-\(dead)-7-0.tmp", ".config.yml.keyrotd-\(dead)-9-1.tmp", ".config.yml.keyrotd-\(dead)-x-0.tmp",
            ".config.yml.keyrotd-\(getpid())-5-0.tmp", ".other.yml.keyrotd-\(dead)-1-0.tmp", "config.yml",
        ].sorted())
    }

    @Test("temp file names are recognised exactly")
    func tempNames() {
        #expect(TempFile.creator(of: ".config.yml.keyrotd-42-7-0.tmp", target: "config.yml") == 42)
        #expect(TempFile.creator(of: ".config.yml.keyrotd-42-7.tmp", target: "config.yml") == nil)
        #expect(TempFile.creator(of: ".config.yml.keyrotd--7-0.tmp", target: "config.yml") == nil)
        #expect(TempFile.creator(of: "config.yml.keyrotd-42-7-0.tmp", target: "config.yml") == nil)
        #expect(TempFile.creator(of: ".config.yml.bak.keyrotd-42-7-0.tmp", target: "config.yml") == nil)
    }

    /// The PID of a child that has exited and been reaped.
    static func deadPID() -> pid_t {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try? process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }
}
