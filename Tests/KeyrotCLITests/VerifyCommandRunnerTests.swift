import Foundation
@testable import KeyrotCLI
import KeyrotCore
import KeyrotTestSupport
import RotationEngine
import Testing

/// `verify_command`: its exit status decides, its output reaches the log masked, it gets no secret
/// and cannot hold a rotation beyond `verify_timeout`.
@Suite("The verify command")
struct VerifyCommandRunnerTests {
    /// A secret-shaped word (40 characters of the secret alphabet) that must never reach the log.
    static let secretShaped = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKE"

    /// The old and the new secret of a rotation, as the runner knows them.
    static let oldSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKE"
    static let newSecret = "9drTJvcXLB89EXAMPLELB8923FB892xMFI+Zq1Ab"

    func runner(_ command: [String], timeout: Duration = .seconds(30), log: LogRecorder) -> VerifyCommandRunner {
        VerifyCommandRunner(command: command, timeout: timeout, logger: log.logger(),
                            secrets: { [Secret(Self.oldSecret), Secret(Self.newSecret)] }, clock: SystemClock())
    }

    @Test func exitZeroPassesAndEveryOutputLineIsLoggedMasked() async throws {
        let log = LogRecorder()
        try await runner(["/bin/sh", "-c", "echo pipeline ok; echo \"key \(Self.secretShaped)\" >&2"], log: log).verify()
        #expect(log.messages.contains("verify_command: pipeline ok"))
        #expect(log.messages.contains("verify_command: key <redacted>"))
        #expect(!log.messages.joined().contains(Self.secretShaped))
    }

    /// Exact matches of the secrets, wherever they stand (glued to other text, a secret of
    /// another shape), and nothing else: a 40-character git commit id stays readable.
    @Test func theSecretsAreMaskedByExactMatchOnly() async throws {
        let log = LogRecorder()
        let commit = "0123456789abcdef0123456789abcdef01234567"
        let script = "echo \"new=\(Self.newSecret)x\"; echo \"old:\(Self.oldSecret)\(Self.oldSecret)\"; echo \"deployed \(commit)\""
        try await runner(["/bin/sh", "-c", script], log: log).verify()
        #expect(log.messages == ["verify_command: new=<redacted>x", "verify_command: old:<redacted><redacted>",
                                 "verify_command: deployed \(commit)"])
    }

    @Test func aNonZeroExitFailsAndNamesTheStatus() async throws {
        let error = await #expect(throws: RotationError.self) {
            try await runner(["/bin/sh", "-c", "exit 3"], log: LogRecorder()).verify()
        }
        #expect(error?.code == .verifyFailed)
        #expect(error?.message.contains("/bin/sh exited with status 3") == true)
    }

    @Test func aCommandThatCannotStartNamesItsPath() async throws {
        let error = await #expect(throws: RotationError.self) {
            try await runner(["/nonexistent/check-pipeline"], log: LogRecorder()).verify()
        }
        #expect(error?.code == .verifyFailed)
        #expect(error?.message.contains("/nonexistent/check-pipeline could not start") == true)
    }

    /// The command gets SIGTERM first (and can act on it: its signal mask is empty), not only the
    /// SIGKILL that follows 5 s later. Proved by what the command prints when SIGTERM arrives, not
    /// by timing, which a loaded machine makes unreliable.
    @Test func aCommandPastItsTimeoutIsStoppedAndFails() async throws {
        let log = LogRecorder()
        let error = await #expect(throws: RotationError.self) {
            try await runner(["/bin/sh", "-c", "trap 'echo stopped by SIGTERM; exit 3' TERM; while :; do sleep 0.1; done"],
                             timeout: .milliseconds(300), log: log).verify()
        }
        #expect(error?.message.contains("did not finish within") == true)
        #expect(log.messages.contains("verify_command: stopped by SIGTERM"), "SIGTERM did not reach the command; SIGKILL had to stop it")
    }

    /// Started from a thread of Swift's cooperative pool, a child would inherit a mask blocking
    /// nearly every signal (and ignore the SIGTERM of the timeout or of `systemctl stop`).
    @Test func theCommandStartsWithNoSignalBlocked() async throws {
        for _ in 0..<5 {
            let log = LogRecorder()
            try await runner(["/bin/grep", "^SigBlk:", "/proc/self/status"], log: log).verify()
            #expect(log.messages == ["verify_command: SigBlk:\t0000000000000000"])
        }
    }

    @Test func theCommandSeesNoAWSVariable() {
        let scrubbed = VerifyCommandRunner.scrubbed([
            "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": Self.secretShaped,
            "AWS_SESSION_TOKEN": "token", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
        ])
        #expect(scrubbed == ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"])
    }
}
