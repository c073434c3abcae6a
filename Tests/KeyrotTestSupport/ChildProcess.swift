import Foundation

/// What a finished child process left: its exit status and everything it wrote.
public struct ChildResult: Sendable, CustomStringConvertible {
    public let command: String
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public var output: String { stdout + stderr }

    public init(command: String, status: Int32, stdout: String, stderr: String) {
        self.command = command
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    public var description: String { "`\(command)` exited \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// Runs programs as child processes, outside Swift's cooperative threads.
public enum ChildProcess {
    public struct LaunchError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `executable arguments` to its end, with the test's environment minus every `AWS_*`
    /// variable (keyrotd must find its key in the configured files, nowhere else).
    public static func run(_ executable: URL, _ arguments: [String], in directory: URL? = nil) async throws -> ChildResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        if let directory { process.currentDirectoryURL = directory }
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let command = ([executable.lastPathComponent] + arguments).joined(separator: " ")
        let collected = OutputCollector(stdout: stdout.fileHandleForReading, stderr: stderr.fileHandleForReading)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: LaunchError(description: "cannot start \(command): \(error)"))
            }
        }
        let (out, err) = collected.wait()
        return ChildResult(command: command, status: status, stdout: out, stderr: err)
    }
}

/// Drains both pipes on their own threads so that a chatty child never blocks on a full pipe.
private final class OutputCollector: @unchecked Sendable {
    private var stdout = Data(), stderr = Data()
    private let done = DispatchGroup()

    init(stdout: FileHandle, stderr: FileHandle) {
        done.enter()
        done.enter()
        Thread.detachNewThread { self.stdout = stdout.readDataToEndOfFile(); self.done.leave() }
        Thread.detachNewThread { self.stderr = stderr.readDataToEndOfFile(); self.done.leave() }
    }

    /// Both streams, once the child closed them (each written by one thread before `leave`).
    func wait() -> (String, String) {
        done.wait()
        return (String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}
