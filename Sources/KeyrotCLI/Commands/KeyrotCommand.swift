import ArgumentParser

/// The `keyrotd` command tree; each subcommand lives in its own file under Commands/.
public struct KeyrotCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "keyrotd",
        abstract: "Rotates an IAM user's access key across the files that hold it.",
        version: keyrotdVersion,
        subcommands: [
            RunCommand.self,
            RotateCommand.self,
            CheckCommand.self,
            StatusCommand.self,
            PolicyCommand.self,
            RotateNowCommand.self,
            ConfineExecCommand.self,
            FleetCommand.self,
        ]
    )

    public init() {}
}
