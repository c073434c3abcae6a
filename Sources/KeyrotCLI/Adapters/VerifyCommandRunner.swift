import FoundationEssentials
import Glibc
import KeyrotCore
import Logging
import RotationEngine
import Subprocess
import SystemPackage

/// Runs `verify_command` after the files are written: it must exit 0 within the timeout.
///
/// The command gets no secret: not in its arguments (they come from the configuration), not in
/// its environment (every `AWS_*` variable is removed) and, with `confinement`, not from the
/// state directory either. It starts as a fresh process would: no
/// signal blocked or ignored (a child of a thread of Swift's cooperative pool would otherwise
/// inherit a mask blocking nearly every signal, and ignore the SIGTERM of the timeout or of
/// `systemctl stop`), only descriptors 0, 1 and 2 open (keyrotd's sockets, the state directory
/// lock and the journal stream stay out of its reach), in a session of its own so that the timeout
/// stops whatever it started too. Its output goes to the log line by line, at most `outputLimit`
/// bytes of it, with every secret keyrotd has seen (`secrets`: the old and the new one) masked by
/// exact match.
struct VerifyCommandRunner: RotationVerifier {
    let command: [String]
    let timeout: Duration
    let logger: Logger
    let secrets: @Sendable () -> [Secret]
    /// Times the command.
    let clock: any KeyrotClock
    /// How long the command has between SIGTERM and SIGKILL once its time is up.
    var stopGrace: Duration = .seconds(5)
    /// How much of the command's output reaches the log: enough for any report meant to be read.
    var outputLimit = 64 * 1024
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
        var options = PlatformOptions()
        options.createSession = true
        let result: ExecutionResult<Watched, SequenceOutput, CombinedErrorOutput>
        do {
            result = try await Subprocess.run(
                .path(FilePath(launched[0])), arguments: Arguments(Array(launched.dropFirst())),
                environment: .custom(Self.childEnvironment()), platformOptions: options,
                input: .none, output: .sequence, error: .combinedWithOutput
            ) { execution in
                async let output = Self.capture(execution.standardOutput, limit: outputLimit)
                let timedOut = await stopAtDeadline(execution)
                return Watched(output: await output, timedOut: timedOut)
            }
        } catch {
            throw RotationError(.verifyFailed, "verify_command \(name) could not start: \(error); check the path in the configuration")
        }
        let output = result.closureResult.output
        // Masked before it is split: a secret never straddles a line break of ours.
        for line in output.maskedText(secrets: secrets()).split(separator: "\n") {
            logger.info("verify_command: \(line)")
        }
        if output.dropped > 0 {
            logger.info("verify_command: \(output.dropped) more bytes of output not logged (only the first \(outputLimit) are)")
        }
        guard !result.closureResult.timedOut else {
            throw RotationError(.verifyFailed, "verify_command \(name) did not finish within \(timeout) and was killed")
        }
        switch result.terminationStatus {
        case .exited(0):
            return
        case .exited(let status):
            throw RotationError(.verifyFailed, "verify_command \(name) exited with status \(status); its output is in the log")
        case .signaled(let signal):
            throw RotationError(.verifyFailed, "verify_command \(name) was killed by signal \(signal); its output is in the log")
        }
    }

    /// What the watch over a running command found.
    struct Watched: Sendable {
        let output: CapturedOutput
        let timedOut: Bool
    }

    /// Waits until the command exits or its time is up, whichever comes first; then sends SIGTERM
    /// to its session, and SIGKILL `stopGrace` later. True when the time was up.
    private func stopAtDeadline(_ execution: Execution<NoInput, SequenceOutput, CombinedErrorOutput>) async -> Bool {
        let deadline = clock.now.addingTimeInterval(timeout.timeInterval)
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                // A teardown whose only step sends the null signal (which checks the process and
                // does nothing else) and then waits: it returns as soon as the process exits.
                await execution.teardown(using: [.send(signal: Signal(rawValue: 0), allowedDurationToNextStep: .seconds(86_400 * 365))])
                return false
            }
            group.addTask { [clock, stopGrace] in
                guard (try? await clock.sleep(until: deadline)) != nil, !Task.isCancelled else { return false }
                await execution.teardown(using: [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: stopGrace)])
                return true
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return await group.reduce(first) { $0 || $1 }
        }
    }

    /// Reads the command's output to its end (when every holder of the pipe has closed it, or the
    /// command has exited), keeping what `CapturedOutput` keeps. A read error ends the capture:
    /// the exit status still decides.
    private static func capture(_ stream: SubprocessOutputSequence, limit: Int) async -> CapturedOutput {
        var output = CapturedOutput(limit: limit)
        do {
            for try await buffer in stream {
                buffer.withUnsafeBytes { output.append($0) }
            }
        } catch {}
        return output
    }

    /// keyrotd's own environment less every `AWS_*` variable.
    private static func childEnvironment() -> [Environment.Key: String] {
        var environment: [Environment.Key: String] = [:]
        for (name, value) in scrubbed(ProcessInfo.processInfo.environment) {
            if let key = Environment.Key(rawValue: name) { environment[key] = value }
        }
        return environment
    }

    static func scrubbed(_ environment: [String: String]) -> [String: String] {
        environment.filter { !$0.key.hasPrefix("AWS_") }
    }
}
