import Foundation
import Synchronization

/// Hooks for the fault and crash campaign (Tests/faults), active in debug builds only.
///
/// Around every port call ``CrashPointHook`` (innermost of the port-call hooks, so that a hang
/// happens where a stuck file-system call would) passes a named point, `before:<operation>` and
/// `after:<operation>`, counted per name. With
/// `KEYROTD_DEBUG_TRACE_POINTS=FILE` each point is appended to FILE as `NAME#k` (the k-th time it
/// was reached); with `KEYROTD_DEBUG_KILL_AT=NAME#k` (or just NAME, for the first time) the
/// process SIGKILLs itself there; with
/// `KEYROTD_DEBUG_STOP_AT=NAME#k` it SIGSTOPs itself there, so that a test can act (edit a file)
/// and send SIGCONT; with `KEYROTD_DEBUG_HANG_AT=NAME#k` the calling thread blocks there for ever,
/// as a file-system call stuck on a FIFO or a dead mount would (the rest of the process runs on:
/// the watchdog and the stop deadline are tested against it). Release builds compile the hooks to nothing.
enum CrashPoints {
    #if DEBUG
    private static let traceFile = ProcessInfo.processInfo.environment["KEYROTD_DEBUG_TRACE_POINTS"]
    private static let killAt = point(from: "KEYROTD_DEBUG_KILL_AT")
    private static let stopAt = point(from: "KEYROTD_DEBUG_STOP_AT")
    private static let hangAt = point(from: "KEYROTD_DEBUG_HANG_AT")
    private static let counts = Mutex([String: Int]())
    #endif

    /// Whether any hook is set (``CrashPointHook`` is only installed then).
    static var isEnabled: Bool {
        #if DEBUG
        traceFile != nil || killAt != nil || stopAt != nil || hangAt != nil
        #else
        false
        #endif
    }

    static func reached(_ name: String) {
        #if DEBUG
        let occurrence = counts.withLock { counts in
            counts[name, default: 0] += 1
            return counts[name, default: 0]
        }
        let point = "\(name)#\(occurrence)"
        if let traceFile, let handle = FileHandle(forWritingAtPath: traceFile) ?? create(traceFile) {
            handle.seekToEndOfFile()
            handle.write(Data((point + "\n").utf8))
            try? handle.close()
        }
        if point == killAt {
            kill(getpid(), SIGKILL)
        }
        if point == stopAt {
            kill(getpid(), SIGSTOP)
        }
        while point == hangAt {
            sleep(3_600)
        }
        #endif
    }

    #if DEBUG
    /// `NAME#k` from the variable; a bare NAME means its first occurrence.
    private static func point(from variable: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else { return nil }
        return value.contains("#") ? value : value + "#1"
    }

    private static func create(_ path: String) -> FileHandle? {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return FileHandle(forWritingAtPath: path)
    }
    #endif
}

/// The crash points as a hook: `before:` and `after:` each port call but loading the record and
/// running `verify_command`, which change nothing durable (the campaign's points stay as they were).
struct CrashPointHook: PortCallHook {
    /// Where a point goes: ``CrashPoints/reached(_:)`` in keyrotd.
    var reached: @Sendable (String) -> Void = CrashPoints.reached

    func around<T: Sendable>(_ call: PortCall, _ work: () async throws -> T) async throws -> T {
        guard call.kind != .stateLoad, call.kind != .verify else { return try await work() }
        reached("before:\(call.name)")
        let result = try await work()
        reached("after:\(call.name)")
        return result
    }
}
