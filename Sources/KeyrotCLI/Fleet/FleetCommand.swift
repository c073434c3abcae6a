import ArgumentParser
import FleetAWS
import Foundation
import IAMClient
import KeyrotConfig
import Logging

/// `keyrotd fleet`: the commands of fleet mode (several hosts, one key).
struct FleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Set up and inspect fleet mode: several hosts sharing one key through Secrets Manager and a DynamoDB lease.",
        subcommands: [FleetInitCommand.self, FleetJoinCommand.self, FleetStatusCommand.self]
    )

    /// Loads the configuration and the fleet's clients; a configuration without `fleet:` exits 78.
    static func runtime(_ options: GlobalOptions) throws -> (KeyrotConfiguration, FleetRuntime) {
        let configuration = try options.loadConfiguration()
        do {
            return (configuration, try FleetRuntime(configuration, configPath: options.config, logger: .init(label: "keyrotd.fleet")))
        } catch {
            FileHandle.standardError.write(Data("keyrotd: \(error)\n".utf8))
            throw ExitCode(ExitStatus.configuration)
        }
    }

    /// Prints `error` and exits: 75 when AWS could not be reached (try again), else 1.
    static func fail(_ error: any Error) -> ExitCode {
        FileHandle.standardError.write(Data("keyrotd: \(error)\n".utf8))
        if let error = error as? AWSServiceError, error.isTemporary || error.code == .throttled || error.code == .serviceFailure {
            return ExitCode(ExitStatus.temporaryFailure)
        }
        return ExitCode(ExitStatus.failure)
    }
}
