import Foundation
import KeyrotCore
import Synchronization

/// A wall clock that only moves when a sleep asks it to (instantly) or a test advances it.
/// When its crash switch is killed, sleeping throws (the process is gone).
public final class TestClock: KeyrotClock {
    private let state: Mutex<(now: Date, sleeps: [Date])>
    private let crashSwitch: FakeCrashSwitch?

    public init(start: Date = Date(timeIntervalSince1970: 1_790_000_000), crashSwitch: FakeCrashSwitch? = nil) {
        state = Mutex((start, []))
        self.crashSwitch = crashSwitch
    }

    public var now: Date { state.withLock { $0.now } }
    /// Every deadline a sleep was asked for, in order.
    public var sleeps: [Date] { state.withLock { $0.sleeps } }

    public func advance(by interval: TimeInterval) {
        state.withLock { $0.now = $0.now.addingTimeInterval(interval) }
    }

    public func sleep(until deadline: Date) async throws {
        try crashSwitch?.checkAlive()
        try Task.checkCancellation()
        state.withLock { state in
            state.sleeps.append(deadline)
            state.now = max(state.now, deadline)
        }
    }
}
