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
    /// variable (keyrotd must find its key in the configured files, nowhere else), `input` on its
    /// standard input. Nothing here blocks a thread of Swift's cooperative pool, which has as many
    /// threads as the machine has cores: a test blocking one would stall every other test.
    public static func run(_ executable: URL, _ arguments: [String], in directory: URL? = nil, input: Data? = nil) async throws -> ChildResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        if let directory { process.currentDirectoryURL = directory }
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        let command = ([executable.lastPathComponent] + arguments).joined(separator: " ")
        let collected = OutputCollector(stdout: stdout.fileHandleForReading, stderr: stderr.fileHandleForReading)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
                if let input {
                    // On a thread of its own: a child that reads slowly would block the write.
                    Thread.detachNewThread {
                        stdin.fileHandleForWriting.write(input)
                        try? stdin.fileHandleForWriting.close()
                    }
                }
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: LaunchError(description: "cannot start \(command): \(error)"))
            }
        }
        let (out, err) = await collected.output()
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
    func output() async -> (String, String) {
        await withCheckedContinuation { continuation in
            done.notify(queue: .global()) {
                continuation.resume(returning: (String(decoding: self.stdout, as: UTF8.self), String(decoding: self.stderr, as: UTF8.self)))
            }
        }
    }
}
