import Foundation
import KeyrotCore
import Synchronization

/// The fleet simulation's time. Time moves only inside `sleep`, one sleeper at a time (a gate),
/// and at every multiple of `tick` it passes, the simulation's tick runs (every running host's
/// member round, the invariant checks, the scenario's triggers). A leader waiting for members
/// therefore sees them act between its looks, deterministically when one leader runs.
final class SimulatedFleetClock: KeyrotClock {
    private struct Time {
        var now: Date
        var nextTick: Date
    }

    let tick: TimeInterval
    let start: Date
    private let time: Mutex<Time>
    private let gate = AsyncGate()
    private let onTick = Mutex<@Sendable () async -> Void>({})

    init(start: Date = Date(timeIntervalSince1970: 1_790_000_000), tick: TimeInterval) {
        self.tick = tick
        self.start = start
        time = Mutex(Time(now: start, nextTick: start.addingTimeInterval(tick)))
    }

    var now: Date { time.withLock { $0.now } }

    func setOnTick(_ body: @escaping @Sendable () async -> Void) {
        onTick.withLock { $0 = body }
    }

    func sleep(until deadline: Date) async throws {
        try Task.checkCancellation()
        await gate.lock()
        let body = onTick.withLock { $0 }
        while takeTick(notAfter: deadline) {
            await body()
        }
        time.withLock { $0.now = max($0.now, deadline) }
        gate.unlock()
        try Task.checkCancellation()
    }

    /// Moves to the next tick when it is not after `deadline`.
    private func takeTick(notAfter deadline: Date) -> Bool {
        time.withLock { time in
            guard time.nextTick <= deadline else { return false }
            time.now = max(time.now, time.nextTick)
            time.nextTick = time.nextTick.addingTimeInterval(tick)
            return true
        }
    }
}

/// A lock for async code: one holder at a time, waiters served in order.
final class AsyncGate: Sendable {
    private struct State {
        var locked = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func lock() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = state.withLock { state in
                if state.locked {
                    state.waiters.append(continuation)
                    return false
                }
                state.locked = true
                return true
            }
            if acquired { continuation.resume() }
        }
    }

    /// Hands the lock to the next waiter, or frees it.
    func unlock() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.locked = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
