import Foundation
import KeyrotCore
import Synchronization

/// The fleet simulation's time, a discrete-event scheduler. The tasks that take part (each
/// leader, and the test while it lets time pass) sleep on it; time moves only when all of them
/// sleep, to the earliest deadline, so that no task is starved of simulated time, however the
/// machine schedules threads. At every multiple of `tick` that passes, the simulation's tick runs
/// (every running host's member round, the invariant checks, the scenario's triggers).
final class SimulatedFleetClock: KeyrotClock {
    private struct Sleeper {
        let deadline: Date
        var continuation: CheckedContinuation<Void, Never>?
    }

    private struct State {
        var now: Date
        var nextTick: Date
        var participants = 0
        var nextID = 0
        var asleep: [Int: Sleeper] = [:]
        /// Sleepers woken before they had suspended.
        var released: Set<Int> = []
        var driving = false
    }

    let tick: TimeInterval
    let start: Date
    private let state: Mutex<State>
    private let onTick = Mutex<@Sendable () async -> Void>({})

    init(start: Date = Date(timeIntervalSince1970: 1_790_000_000), tick: TimeInterval) {
        self.tick = tick
        self.start = start
        state = Mutex(State(now: start, nextTick: start.addingTimeInterval(tick)))
    }

    var now: Date { state.withLock { $0.now } }

    func setOnTick(_ body: @escaping @Sendable () async -> Void) {
        onTick.withLock { $0 = body }
    }

    /// A task takes part: time waits for it to sleep.
    func join() {
        state.withLock { $0.participants += 1 }
    }

    /// A task stops taking part (it ended).
    func leave() async {
        state.withLock { $0.participants -= 1 }
        await advanceIfAllAsleep()
    }

    /// Runs `body` as a participant.
    func participating<T>(_ body: () async throws -> T) async throws -> T {
        join()
        do {
            let value = try await body()
            await leave()
            return value
        } catch {
            await leave()
            throw error
        }
    }

    func sleep(until deadline: Date) async throws {
        try Task.checkCancellation()
        let id = state.withLock { state in
            state.nextID += 1
            state.asleep[state.nextID] = Sleeper(deadline: deadline)
            return state.nextID
        }
        await advanceIfAllAsleep()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let woken = state.withLock { state in
                if state.released.remove(id) != nil { return true }
                state.asleep[id]?.continuation = continuation
                return false
            }
            if woken { continuation.resume() }
        }
        try Task.checkCancellation()
    }

    /// When every participant sleeps: time moves to the earliest deadline (ticks on the way), and
    /// the sleepers due then wake.
    private func advanceIfAllAsleep() async {
        let target: Date? = state.withLock { state in
            guard !state.driving, state.participants > 0, state.asleep.count >= state.participants,
                  let earliest = state.asleep.values.map(\.deadline).min() else { return nil }
            state.driving = true
            return earliest
        }
        guard let target else { return }
        let body = onTick.withLock { $0 }
        while takeTick(notAfter: target) {
            await body()
        }
        let due: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.now = max(state.now, target)
            state.driving = false
            var due: [CheckedContinuation<Void, Never>] = []
            for (id, sleeper) in state.asleep where sleeper.deadline <= state.now {
                state.asleep[id] = nil
                if let continuation = sleeper.continuation { due.append(continuation) } else { state.released.insert(id) }
            }
            return due
        }
        for continuation in due { continuation.resume() }
    }

    /// Moves to the next tick when it is not after `deadline`.
    private func takeTick(notAfter deadline: Date) -> Bool {
        state.withLock { state in
            guard state.nextTick <= deadline else { return false }
            state.now = max(state.now, state.nextTick)
            state.nextTick = state.nextTick.addingTimeInterval(tick)
            return true
        }
    }
}
