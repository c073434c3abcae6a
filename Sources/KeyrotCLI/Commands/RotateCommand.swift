import ArgumentParser
import DurableFS
import Foundation
import KeyrotCore
import KeyrotConfig
import Logging
import RotationEngine
import SystemdIntegration

/// `keyrotd rotate`: one rotation in the foreground, up to the switch (through overlap and grace
/// with `--wait`).
struct RotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Rotate the key now, in the foreground, when it is due (or always with --force).",
        discussion: """
            Finishes or undoes an interrupted rotation first, and retires an old key whose overlap \
            or grace has ended. Returns once the files hold the new key and it works, saying when \
            the old key will be deactivated and deleted: the daemon does that, or the next \
            `keyrotd rotate` once it is due. With --wait, waits through overlap and grace as \
            configured (the state directory stays locked meanwhile, so the daemon cannot start). \
            Exit status: 0 when the files hold the new key (or nothing was due), 1 when the rotation failed and was rolled back or was refused, 75 \
            when AWS could not be reached or a step must be retried later (a step failing after the \
            switch is not retried in the foreground: the next run, or the daemon, retries it from \
            the recorded time), 78 on configuration errors.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Rotate even when the key is younger than max_age.")
    var force = false

    @Flag(help: "Wait through overlap and grace until the old key is deleted, instead of returning after the switch.")
    var wait = false

    /// How long a foreground run may take to reach a safe point after SIGTERM or Ctrl-C before it
    /// is abandoned (a step stuck in the kernel, a FIFO in place of a file): as the daemon's.
    static let stopBudget: Duration = .seconds(20)

    func run() async throws {
        let configuration = try options.loadConfiguration()
        // Alone on one host this would switch only its files and then delete the key the other
        // hosts still hold: in a fleet, the daemon rotates (it asks for the lease).
        guard configuration.fleet == nil else {
            FileHandle.standardError.write(Data("""
                keyrotd: \(options.config) has a `fleet:` section: this host shares its key with others, and a rotation \
                must go through the fleet's lease. Run `keyrotd rotate-now` to ask the running daemon to lead one; nothing was changed\n
                """.utf8))
            throw ExitCode(ExitStatus.configuration)
        }
        LoggingBootstrap.bootstrap()
        let logger = Logger(label: "keyrotd")
        let clock = SystemClock()
        let monitor = StepMonitor(clock: clock, bounds: .init(configuration))
        let lock: StateDirectoryLock
        let runtime: RotationRuntime
        do {
            lock = try RotationRuntime.lockStateDirectory(configuration)
            // Progress for the person at the terminal; failures are said once, by the final report.
            runtime = try RotationRuntime(configuration: configuration, logger: logger, status: { status in
                if !status.hasPrefix("error:") { print(status) }
            }, clock: clock, hooks: [monitor], foreground: true, waitsForRetirement: wait)
        } catch {
            FileHandle.standardError.write(Data("keyrotd: \(error)\n".utf8))
            throw ExitCode(ExitStatus.temporaryFailure)
        }
        // Ctrl-C or SIGTERM: stop at the next safe point; the next run resumes from the record. A
        // step that never returns is abandoned after `stopBudget`. SIGUSR1 (`keyrotd rotate-now`)
        // would otherwise kill the process: this run is rotating already, so it is only answered.
        let signals = SignalEvents([.interrupt, .terminate, .rotateNow])
        let stopper = Task {
            var deadline: Task<Void, Never>?
            for await signal in signals.events {
                if signal == .rotateNow {
                    Self.say("SIGUSR1: keyrotd rotate-now asks for a rotation, and this one is running; nothing more to do")
                    continue
                }
                Self.say("\(signal): stopping at the next safe point")
                runtime.requestStop()
                guard deadline == nil else { continue }
                deadline = Task {
                    do { try await clock.sleep(for: Self.stopBudget) } catch { return }
                    Self.abandon(monitor.callsInFlight)
                }
            }
            deadline?.cancel()
        }
        let outcome = await runtime.run(.rotate(force: force))
        stopper.cancel()
        signals.cancel()
        print(OutcomeReport.text(outcome))
        LastRunRecord(outcome: outcome, at: clock.now, maxAge: configuration.maxAge.timeInterval).save(stateDirectory: configuration.stateDirectory)
        withExtendedLifetime(lock) {}
        throw ExitCode(ExitStatus.of(outcome))
    }

    /// A line on stdout at once (print's buffer is only flushed at the end when stdout is a file).
    private static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Ends the process with 75: the steps still running cannot be cancelled (a blocked system
    /// call); the record says where the rotation stands, and the next run resumes from it.
    private static func abandon(_ calls: [String]) -> Never {
        let what = calls.isEmpty ? "the run" : calls.joined(separator: ", ")
        FileHandle.standardError.write(Data("keyrotd: no safe point reached within \(stopBudget) of the stop request; abandoned \(what). Run keyrotd rotate again (or start the service) to resume from the rotation record\n".utf8))
        Foundation.exit(ExitStatus.temporaryFailure)
    }
}
