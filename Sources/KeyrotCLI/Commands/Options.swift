import ArgumentParser
import Foundation
import KeyrotConfig

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The configuration file.", valueName: "path"),
            completion: .file(extensions: ["yml", "yaml"]))
    var config: String = KeyrotConfiguration.defaultPath

    /// The validated configuration. A ``ConfigurationError`` is printed to stderr and becomes
    /// exit status 78 (`EX_CONFIG`).
    func loadConfiguration(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> KeyrotConfiguration {
        do {
            return try KeyrotConfiguration.load(path: config, environment: environment, syntax: .credentialFiles)
        } catch {
            FileHandle.standardError.write(Data("keyrotd: \(error)\n".utf8))
            throw ExitCode(error.exitCode)
        }
    }
}
