import ArgumentParser
import DurableFS
import Foundation
import KeyrotConfig

/// `keyrotd rotate-now`: asks the running daemon to rotate (SIGUSR1 to the PID in the lock file).
struct RotateNowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-now",
        abstract: "Ask the running keyrotd daemon to rotate the key now.",
        discussion: "Equivalent to: systemctl kill -s SIGUSR1 --kill-whom=main keyrotd"
    )

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let configuration = try options.loadConfiguration()
        let lockPath = StateDirectoryLayout(configuration.stateDirectory).lock
        guard let text = try? String(contentsOfFile: lockPath, encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 else {
            FileHandle.standardError.write(Data("keyrotd: no running keyrotd found (no PID in \(lockPath)); is the service started? (systemctl status keyrotd)\n".utf8))
            throw ExitCode(ExitStatus.failure)
        }
        // The lock file keeps the PID of the last holder: only signal it while it still holds the lock.
        guard DaemonLiveness.holdsLock(lockPath) else {
            FileHandle.standardError.write(Data("keyrotd: keyrotd (PID \(pid)) is not running; start it with systemctl start keyrotd\n".utf8))
            throw ExitCode(ExitStatus.failure)
        }
        guard kill(pid, SIGUSR1) == 0 else {
            FileHandle.standardError.write(Data("keyrotd: cannot signal PID \(pid): \(String(cString: strerror(errno))); run as root or as the keyrotd user\n".utf8))
            throw ExitCode(ExitStatus.failure)
        }
        // Name the journal only where the daemon's log goes there: a keyrotd started by hand
        // (the demo, a terminal) logs to its own standard error.
        let follow = DaemonUnit.name(ofPID: pid).map { "; follow it with: journalctl -u \($0) -f" } ?? ""
        print("asked keyrotd (PID \(pid)) to rotate now\(follow)")
    }
}

/// The systemd service a process runs in, from its cgroup (`0::/system.slice/keyrotd.service`).
enum DaemonUnit {
    static func name(ofPID pid: Int32) -> String? {
        guard let cgroup = try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8) else { return nil }
        return name(inCgroup: cgroup)
    }

    /// The service unit of the unified hierarchy's line (`0::<path>`), when the path's last
    /// component is one; a scope (a login session) or the root is not.
    static func name(inCgroup text: String) -> String? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("0::") }),
              let last = line.split(separator: "/").last, last.hasSuffix(".service") else { return nil }
        return String(last)
    }
}

/// Whether some process holds the flock on the state directory's lock file.
enum DaemonLiveness {
    static func holdsLock(_ lockPath: String) -> Bool {
        let fd = open(lockPath, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }
}
