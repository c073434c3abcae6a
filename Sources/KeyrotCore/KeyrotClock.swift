import FoundationEssentials

/// The one source of time for keyrotd: the engine, the IAM client (signing time, retry sleeps), the
/// verify runner and the daemon all take a `KeyrotClock`, so that tests can drive every wait with a
/// manual clock. Key ages and recorded deadlines are wall-clock dates.
public protocol KeyrotClock: Sendable {
    var now: Date { get }
    /// Returns at `deadline` (or immediately when it has passed); throws when the task is cancelled.
    func sleep(until deadline: Date) async throws
}

extension KeyrotClock {
    /// Sleeps for `duration` measured from `now`; throws when the task is cancelled.
    public func sleep(for duration: Duration) async throws {
        let (seconds, attoseconds) = duration.components
        try await sleep(until: now.addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18))
    }
}

/// The real wall clock. Sleeps in slices of at most a minute, so that a changed system clock
/// (NTP step, suspend) is noticed within a minute.
public struct SystemClock: KeyrotClock {
    public init() {}

    public var now: Date { Date() }

    public func sleep(until deadline: Date) async throws {
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return }
            try await Task.sleep(for: .seconds(min(remaining, 60)))
        }
    }
}
