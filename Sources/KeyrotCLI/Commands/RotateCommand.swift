import ArgumentParser
import Foundation
import KeyrotConfig
import Logging
import RotationEngine
import SystemdIntegration

/// `keyrotd rotate`: one rotation in the foreground, through overlap and grace.
struct RotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Rotate the key now, in the foreground, when it is due (or always with --force).",
        discussion: """
            Finishes or undoes an interrupted rotation first. Waits through overlap and grace as \
            configured and says what it waits for. Exit status: 0 when the old key is deleted (or \
            nothing was due), 1 when the rotation failed and was rolled back or was refused, 75 \
            when AWS could not be reached or a step must be retried later (a step failing after the \
            switch is not retried in the foreground: the next run, or the daemon, retries it from \
            the recorded time), 78 on configuration errors.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Rotate even when the key is younger than max_age.")
    var force = false

    func run() async throws {
        let configuration = try options.loadConfiguration()
        LoggingBootstrap.bootstrap()
        let logger = Logger(label: "keyrotd")
        let runtime: RotationRuntime
        do {
            // Progress for the person at the terminal; failures are said once, by the final report.
            runtime = try RotationRuntime(configuration: configuration, logger: logger, status: { status in
                if !status.hasPrefix("error:") { print(status) }
            }, foreground: true)
        } catch {
            FileHandle.standardError.write(Data("keyrotd: \(error)\n".utf8))
            throw ExitCode(ExitStatus.temporaryFailure)
        }
        // Ctrl-C or SIGTERM: stop at the next safe point; the next run resumes from the record.
        let signals = SignalEvents([.interrupt, .terminate])
        let stopper = Task {
            for await signal in signals.events {
                print("\(signal): stopping at the next safe point")
                runtime.driver.requestStop()
            }
        }
        let outcome = await runtime.driver.run(.rotate(force: force))
        stopper.cancel()
        signals.cancel()
        print(OutcomeReport.text(outcome))
        LastRunRecord(outcome: outcome, at: Date()).save(stateDirectory: configuration.stateDirectory)
        throw ExitCode(ExitStatus.of(outcome))
    }
}
