import ArgumentParser
import Foundation

/// `keyrotd confine-exec --hide DIR -- PROGRAM ARGS...` (not shown in the help): how keyrotd
/// starts `verify_command`. It runs as a child of keyrotd, hides the state directory from itself
/// with Landlock (``DirectoryHiding``), then becomes the command. Nothing is inherited but what
/// the runner gave it; the command keeps its PID, so timeouts and signals reach it directly.
struct ConfineExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confine-exec",
        abstract: "Run a program with a directory hidden from it (how keyrotd runs verify_command).",
        shouldDisplay: false
    )

    @Option(help: "The directory the program must not reach.")
    var hide: String

    @Argument(parsing: .postTerminator, help: "The program (an absolute path) and its arguments.")
    var command: [String]

    func run() throws {
        guard let program = command.first else { throw ValidationError("no program after --") }
        do {
            try DirectoryHiding.hide(hide)
        } catch {
            Self.fail("cannot hide \(hide) from verify_command (\(error)); verify_command was not run", status: 126)
        }
        let arguments = command.map { strdup($0) } + [nil]
        execv(program, arguments)
        Self.fail("cannot run \(program): \(String(cString: strerror(errno)))", status: 127)
    }

    /// A line on stderr (the runner logs it as the command's output) and the shell's statuses:
    /// 126 could not prepare, 127 could not execute.
    private static func fail(_ message: String, status: Int32) -> Never {
        FileHandle.standardError.write(Data("keyrotd confine-exec: \(message)\n".utf8))
        Foundation.exit(status)
    }
}
