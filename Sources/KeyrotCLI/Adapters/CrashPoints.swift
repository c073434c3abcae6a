import Foundation
import Synchronization

/// Hooks for the fault and crash campaign (Tests/faults), active in debug builds only.
///
/// Around every port call the engine's driver passes a named point, `before:<operation>` and
/// `after:<operation>` (`RotationDriver.CrashPointHook`), counted per name. With
/// `KEYROTD_DEBUG_TRACE_POINTS=FILE` each point is appended to FILE as `NAME#k` (the k-th time it
/// was reached); with `KEYROTD_DEBUG_KILL_AT=NAME#k` (or just NAME, for the first time) the
/// process SIGKILLs itself there; with
/// `KEYROTD_DEBUG_STOP_AT=NAME#k` it SIGSTOPs itself there, so that a test can act (edit a file)
/// and send SIGCONT. Release builds compile the hooks to nothing.
enum CrashPoints {
    #if DEBUG
    private static let traceFile = ProcessInfo.processInfo.environment["KEYROTD_DEBUG_TRACE_POINTS"]
    private static let killAt = point(from: "KEYROTD_DEBUG_KILL_AT")
    private static let stopAt = point(from: "KEYROTD_DEBUG_STOP_AT")
    private static let counts = Mutex([String: Int]())
    #endif

    /// Whether any hook is set (the driver is only given `reached` then).
    static var isEnabled: Bool {
        #if DEBUG
        traceFile != nil || killAt != nil || stopAt != nil
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
