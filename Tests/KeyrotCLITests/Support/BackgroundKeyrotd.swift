import Foundation
import KeyrotTestSupport
import Testing

/// A keyrotd process the test keeps running while it acts on it (signals, the lock, files):
/// `keyrotd ARGUMENTS --config SITE`, its output in a file of the site (no pipe to fill up).
final class BackgroundKeyrotd: @unchecked Sendable {
    let process = Process()
    let logPath: String

    /// - Parameter unlimitedCores: started through a shell that first changes to `directory` itself
    ///   (a core file lands in the working directory, which must not depend on how the launcher
    ///   sets it) and sets `ulimit -c unlimited`.
    init(_ arguments: [String], site: RotationSite, in directory: URL? = nil, name: String = "keyrotd",
         environment extra: [String: String] = [:], unlimitedCores: Bool = false) throws {
        logPath = site.path("\(name).log")
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let keyrotd = try Repository.keyrotd()
        if unlimitedCores {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", #"cd "$0" && ulimit -c unlimited && exec "$@""#, (directory ?? site.directory).path, keyrotd.path]
                + arguments + ["--config", site.configPath]
        } else {
            process.executableURL = keyrotd
            process.arguments = arguments + ["--config", site.configPath]
        }
        // No systemd here: no notify socket, no watchdog, no journal; never an AWS_* variable. The
        // Swift backtracer is off, as in the unit: a crash takes the default action (a core dump).
        var environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("AWS_") && !["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM"].contains($0.key)
        }
        environment["SWIFT_BACKTRACE"] = "enable=no"
        environment.merge(extra) { _, given in given }
        process.environment = environment
        if let directory { process.currentDirectoryURL = directory }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try log.close()
    }

    var pid: Int32 { process.processIdentifier }
    var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) {
        kill(pid, number)
    }

    /// Polls `condition` every 50 ms until it holds or `seconds` pass; records an issue on timeout.
    @discardableResult
    func waitUntil(_ what: String, seconds: Double = 30, sourceLocation: SourceLocation = #_sourceLocation,
                   _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out after \(seconds) s waiting for \(what); keyrotd's output:\n\(output)", sourceLocation: sourceLocation)
        return false
    }

    /// The exit status (128 + signal when killed), or nil when it is still running after `seconds`.
    func exitStatus(within seconds: Double) async throws -> Int32? {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while process.isRunning {
            guard ContinuousClock.now < deadline else { return nil }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
    }

    /// Kills it if it still runs (the end of every test that started one).
    func stop() {
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }
}
