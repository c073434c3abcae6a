#if canImport(Glibc)
import Glibc
#endif

/// One assignment of the sd_notify protocol (man sd_notify(3)), as keyrotd uses it.
public enum NotifyState: Sendable, Hashable {
    /// Startup or a reload is finished.
    case ready
    /// One line for `systemctl status`; sanitised to a single line when sent.
    case status(String)
    /// Keep-alive ping for `WatchdogSec=`.
    case watchdog
    /// A reload has begun; `READY=1` must follow. Carries CLOCK_MONOTONIC in µs (systemd 253+ reads it).
    case reloading(monotonicMicroseconds: UInt64)
    /// Shutdown has begun.
    case stopping
    /// Asks for more time before the current start, run or stop timeout fires.
    case extendTimeout(microseconds: UInt64)
    /// The errno of a failure, sent before exiting.
    case errno(Int32)

    /// `RELOADING=1` stamped with the current CLOCK_MONOTONIC time.
    public static func reloadingNow() -> NotifyState {
        .reloading(monotonicMicroseconds: MonotonicTime.nowMicroseconds())
    }

    /// The `KEY=VALUE` lines this state is sent as.
    public var assignments: [String] {
        switch self {
        case .ready: ["READY=1"]
        case .status(let text): ["STATUS=\(NotifyState.singleLine(text))"]
        case .watchdog: ["WATCHDOG=1"]
        case .reloading(let usec): ["RELOADING=1", "MONOTONIC_USEC=\(usec)"]
        case .stopping: ["STOPPING=1"]
        case .extendTimeout(let usec): ["EXTEND_TIMEOUT_USEC=\(usec)"]
        case .errno(let code): ["ERRNO=\(code)"]
        }
    }

    /// The datagram payload for several states sent together.
    public static func payload(_ states: [NotifyState]) -> String {
        states.flatMap(\.assignments).joined(separator: "\n")
    }

    /// Turns any text into one line: control characters (newlines included) become spaces,
    /// runs of spaces collapse, and the ends are trimmed.
    public static func singleLine(_ text: String) -> String {
        var result = ""
        var lastWasSpace = true
        for scalar in text.unicodeScalars {
            let isSpace = scalar.properties.generalCategory == .control || scalar.properties.isWhitespace
            if isSpace {
                if !lastWasSpace { result.unicodeScalars.append(" ") }
                lastWasSpace = true
            } else {
                result.unicodeScalars.append(scalar)
                lastWasSpace = false
            }
        }
        if result.hasSuffix(" ") { result.removeLast() }
        return result
    }
}

/// CLOCK_MONOTONIC, the clock systemd uses for `MONOTONIC_USEC=`.
enum MonotonicTime {
    static func nowMicroseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000 + UInt64(spec.tv_nsec) / 1_000
    }
}
