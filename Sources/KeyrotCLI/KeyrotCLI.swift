import ArgumentParser

/// The `keyrotd` command tree.
public struct KeyrotCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "keyrotd",
        abstract: "Rotates an IAM user's access key across the files that hold it."
    )

    public init() {}
}
