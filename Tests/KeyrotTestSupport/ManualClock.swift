import Foundation
import KeyrotCore
import Synchronization

/// A wall clock that moves only when the test advances it; a sleep waits until the clock reaches
/// its deadline (unlike ``TestClock``, whose sleeps return at once), so that a daemon's timers,
/// watchdog and waits can be stepped through one by one.
public final class ManualClock: KeyrotClock {
    private struct Sleeper {
        let deadline: Date
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var nextID = 0
        var sleepers: [Int: Sleeper] = [:]
        var cancelledBeforeSleeping: Set<Int> = []
    }

    private let state: Mutex<State>

    public init(start: Date = Date(timeIntervalSince1970: 1_790_000_000)) {
        state = Mutex(State(now: start))
    }

    public var now: Date { state.withLock { $0.now } }

    /// The deadlines of the sleeps waiting now, earliest first.
    public var pendingDeadlines: [Date] { state.withLock { $0.sleepers.values.map(\.deadline).sorted() } }

    public func sleep(until deadline: Date) async throws {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = state.withLock { state in
                    if state.cancelledBeforeSleeping.remove(id) != nil { return .failure(CancellationError()) }
                    if deadline <= state.now { return .success(()) }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let sleeper = state.withLock { state in
                guard let sleeper = state.sleepers.removeValue(forKey: id) else {
                    state.cancelledBeforeSleeping.insert(id)
                    return Sleeper?.none
                }
                return sleeper
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward and wakes every sleep whose deadline is reached.
    public func advance(by interval: TimeInterval) {
        let due = state.withLock { state in
            state.now = state.now.addingTimeInterval(interval)
            let now = state.now
            let due = state.sleepers.filter { $0.value.deadline <= now }
            for id in due.keys { state.sleepers.removeValue(forKey: id) }
            return due.values.map(\.continuation)
        }
        for continuation in due { continuation.resume() }
    }

    /// Advances in steps of `step` seconds up to `interval`, each step once `sleepers` sleeps are
    /// waiting (the tasks woken by the previous step are asleep again: a watchdog pings once per step).
    public func advance(by interval: TimeInterval, inStepsOf step: TimeInterval, sleepers: Int = 1) async {
        var done: TimeInterval = 0
        while done < interval {
            _ = await Eventually.holds { pendingDeadlines.count >= sleepers }
            let next = min(step, interval - done)
            advance(by: next)
            done += next
        }
        _ = await Eventually.holds { pendingDeadlines.count >= sleepers }
    }
}

/// Waiting for other tasks in tests, bounded in real time (a loaded machine is slow; these are
/// not timing assertions).
public enum Eventually {
    /// Polls `condition` until it holds or 20 s pass; returns whether it held.
    public static func holds(_ condition: () -> Bool) async -> Bool {
        let giveUp = ContinuousClock.now + .seconds(20)
        while !condition() {
            guard ContinuousClock.now < giveUp else { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }
}
