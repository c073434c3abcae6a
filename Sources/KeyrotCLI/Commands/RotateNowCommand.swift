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
        print("asked keyrotd (PID \(pid)) to rotate now; follow it with: journalctl -u keyrotd -f")
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
