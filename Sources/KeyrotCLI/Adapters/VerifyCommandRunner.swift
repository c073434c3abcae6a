import Foundation
import KeyrotCore
import Logging
import RotationEngine

/// Runs `verify_command` after the files are written: it must exit 0 within the timeout.
///
/// The command gets no secret: not in its arguments (they come from the configuration), not in
/// its environment (every `AWS_*` variable is removed) and, with `confinement`, not from the
/// state directory either. Its output goes to the log line by line,
/// with every secret keyrotd has seen (`secrets`: the old and the new one) masked by exact match.
struct VerifyCommandRunner: RotationVerifier {
    let command: [String]
    let timeout: Duration
    let logger: Logger
    let secrets: @Sendable () -> [Secret]
    /// Times the command and paces the checks on it.
    let clock: any KeyrotClock
    /// Hides the state directory from the command (nil where the kernel has no Landlock).
    var confinement: VerifyConfinement? = nil

    func verify() async throws {
        let name = command[0]
        // Checked here: started through `keyrotd confine-exec`, a missing program would only
        // show as the confiner's exit status.
        guard access(name, X_OK) == 0 else {
            throw RotationError(.verifyFailed, "verify_command \(name) could not start: \(String(cString: strerror(errno))); check the path in the configuration")
        }
        let launched = confinement?.arguments(for: command) ?? command
        let process = Process()
        process.executableURL = URL(fileURLWithPath: launched[0])
        process.arguments = Array(launched.dropFirst())
        process.environment = Self.scrubbed(ProcessInfo.processInfo.environment)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do {
            try await Self.start(process)
        } catch {
            throw RotationError(.verifyFailed, "verify_command \(name) could not start: \(error.localizedDescription); check the path in the configuration")
        }
        let reader = Task { await Self.readToEnd(output.fileHandleForReading) }
        let finished = await Self.wait(for: process, timeout: timeout, clock: clock)
        // Masked before it is split: a secret never straddles the cut.
        let text = SecretMask.masked(String(decoding: await reader.value, as: UTF8.self), secrets: secrets())
        for line in text.split(separator: "\n") {
            logger.info("verify_command: \(line)")
        }
        guard finished else {
            throw RotationError(.verifyFailed, "verify_command \(name) did not finish within \(timeout) and was killed")
        }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let how = process.terminationReason == .exit ? "exited with status \(process.terminationStatus)" : "was killed by signal \(process.terminationStatus)"
            throw RotationError(.verifyFailed, "verify_command \(name) \(how); its output is in the log")
        }
    }

    /// Starts `process` from a thread of its own with no signal blocked. A child inherits the
    /// signal mask of the thread that starts it, and the threads of Swift's cooperative pool
    /// (libdispatch workers) block nearly every signal: started from one of them, the command
    /// would never see the SIGTERM of our timeout or of `systemctl stop`.
    private static func start(_ process: Process) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread.detachNewThread {
                var nothing = sigset_t()
                sigemptyset(&nothing)
                pthread_sigmask(SIG_SETMASK, &nothing, nil)
                continuation.resume(with: Result { try process.run() })
            }
        }
    }

    /// Reads a pipe to its end on a thread of its own: a read that blocks for as long as the
    /// command runs must not hold one of the few threads of Swift's cooperative pool, from which
    /// the watchdog pings.
    private static func readToEnd(_ handle: FileHandle) async -> Data {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: handle.readDataToEndOfFile()) }
        }
    }

    /// Waits for the process; after `timeout` sends SIGTERM, then SIGKILL 5 s later. False on timeout.
    private static func wait(for process: Process, timeout: Duration, clock: any KeyrotClock) async -> Bool {
        let deadline = clock.now.addingTimeInterval(timeout.timeInterval)
        while process.isRunning {
            if clock.now >= deadline {
                process.terminate()
                let killAt = clock.now.addingTimeInterval(5)
                while process.isRunning, clock.now < killAt {
                    try? await clock.sleep(for: .milliseconds(50))
                }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
                return false
            }
            try? await clock.sleep(for: .milliseconds(50))
        }
        return true
    }

    static func scrubbed(_ environment: [String: String]) -> [String: String] {
        environment.filter { !$0.key.hasPrefix("AWS_") }
    }
}
