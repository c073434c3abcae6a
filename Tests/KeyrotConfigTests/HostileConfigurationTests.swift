import Foundation
import Glibc
import KeyrotConfig
import Testing

/// keyrotd.yml and its `files:` as a careless operator or an attacker could write them.
@Suite("Hostile configuration")
struct HostileConfigurationTests {
    static func parse(_ yaml: String) -> ConfigurationError? {
        do {
            _ = try KeyrotConfiguration.parse(yaml: yaml, path: "/etc/keyrotd/keyrotd.yml", environment: [:], syntax: .credentialFiles)
            return nil
        } catch {
            return error
        }
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "keyrotd-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func files(_ paths: String...) -> String {
        "user: snowplow-operator\nfiles:\n" + paths.map { "  - path: \($0)\n    format: yaml\n" }.joined()
    }

    @Test("a NUL byte in a path is refused, in files: and in state_dir")
    func nulInPath() {
        let error = Self.parse(Self.files(#""/opt/snowplow/config.yml\0.bak""#))
        #expect(error?.code == .invalidValue)
        #expect(error?.line == 3)
        #expect(error?.message.contains("NUL") == true)
        #expect(Self.parse("state_dir: \"/var/lib/\\0keyrotd\"\n" + Self.files("/opt/a.yml"))?.code == .invalidValue)
    }

    @Test("the same file under two names is a duplicate: symbolic link, hard link, .. detour")
    func duplicatesByIdentity() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let real = directory + "/config.yml"
        #expect(FileManager.default.createFile(atPath: real, contents: Data("x".utf8)))
        #expect(symlink(real, directory + "/via-symlink.yml") == 0)
        #expect(link(real, directory + "/hard-link.yml") == 0)
        #expect(mkdir(directory + "/sub", 0o700) == 0)
        for other in [directory + "/via-symlink.yml", directory + "/hard-link.yml", directory + "/sub/../config.yml"] {
            let error = Self.parse(Self.files(real, other))
            #expect(error?.code == .duplicateFile, "\(other)")
            #expect(error?.line == 5)
            #expect(error?.message.contains("as `\(real)`, the same file (same device and inode); first at line 3") == true)
        }
        // A file that does not exist yet is compared by the canonical path of its folder.
        #expect(symlink(directory + "/sub", directory + "/alias") == 0)
        let missing = Self.parse(Self.files(directory + "/sub/new.yml", directory + "/alias/new.yml"))
        #expect(missing?.code == .duplicateFile)
        #expect(missing?.message.contains("same canonical path") == true)
        #expect(Self.parse(Self.files(real, directory + "/sub/config.yml")) == nil, "different files are fine")
    }

    @Test("an alias bomb in keyrotd.yml fails at once, naming the line")
    func aliasBomb() {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let previous = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            yaml += "a\(level): &a\(level) [\(previous)]\n"
        }
        yaml += "? *a9\n: 1\n" + Self.files("/opt/a.yml")
        let started = ContinuousClock.now
        let error = Self.parse(yaml)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(error?.code == .invalidYAML)
        #expect(error?.line == 3, "the eleventh alias is on line 3")
        #expect(error?.message.contains("more than 10 YAML aliases") == true)
    }

    @Test("a configuration that is a FIFO, a device or too large is refused at once")
    func hostileConfigurationFile() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fifo = directory + "/fifo.yml"
        #expect(mkfifo(fifo, 0o600) == 0)
        let zero = directory + "/zero.yml"
        #expect(symlink("/dev/zero", zero) == 0)
        let large = directory + "/large.yml"
        #expect(FileManager.default.createFile(atPath: large, contents: nil))
        #expect(truncate(large, 2 << 20) == 0)
        for (path, words) in [(fifo, "is a FIFO"), (zero, "is a character device"), (large, "is larger than 1048576 bytes")] {
            do {
                _ = try KeyrotConfiguration.load(path: path, environment: [:], syntax: .credentialFiles)
                Issue.record("\(path) was read")
            } catch {
                #expect(error.code == .unreadableFile)
                #expect(error.message.contains(words), "\(error.message)")
            }
        }
    }
}
