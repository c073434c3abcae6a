import Foundation
import Logging
import RotationEngine

/// Runs `verify_command` after the files are written: it must exit 0 within the timeout.
///
/// The command gets no secret: not in its arguments (they come from the configuration) and not in
/// its environment (every `AWS_*` variable is removed). Its output goes to the log line by line,
/// with anything shaped like a secret access key masked.
struct VerifyCommandRunner: RotationVerifier {
    let command: [String]
    let timeout: Duration
    let logger: Logger

    func verify() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.environment = Self.scrubbed(ProcessInfo.processInfo.environment)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        let name = command[0]
        do {
            try process.run()
        } catch {
            throw RotationError(.verifyFailed, "verify_command \(name) could not start: \(error.localizedDescription); check the path in the configuration")
        }
        let reader = Task.detached { output.fileHandleForReading.readDataToEndOfFile() }
        let finished = await Self.wait(for: process, timeout: timeout)
        let text = String(decoding: await reader.value, as: UTF8.self)
        for line in text.split(separator: "\n") {
            logger.info("verify_command: \(SecretMask.masked(String(line)))")
        }
        guard finished else {
            throw RotationError(.verifyFailed, "verify_command \(name) did not finish within \(timeout) and was killed")
        }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let how = process.terminationReason == .exit ? "exited with status \(process.terminationStatus)" : "was killed by signal \(process.terminationStatus)"
            throw RotationError(.verifyFailed, "verify_command \(name) \(how); its output is in the log")
        }
    }

    /// Waits for the process; after `timeout` sends SIGTERM, then SIGKILL 5 s later. False on timeout.
    private static func wait(for process: Process, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                process.terminate()
                try? await Task.sleep(for: .seconds(5))
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
                return false
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    static func scrubbed(_ environment: [String: String]) -> [String: String] {
        environment.filter { !$0.key.hasPrefix("AWS_") }
    }
}
