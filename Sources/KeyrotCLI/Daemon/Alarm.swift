import FoundationEssentials
import KeyrotCore
import ServiceLifecycle
import Synchronization

/// A timer the daemon sets again whenever its schedule changes, run as one service of the
/// daemon's helper group (`Daemon.run`).
///
/// `arm(at:)` replaces the pending deadline and returns its generation; when a deadline passes,
/// `fire` gets that generation. A firing may already be on its way when the daemon re-arms, so the
/// daemon ignores a generation it has replaced. Each deadline is slept in a child task that the
/// next arming, or the end of the service, cancels: a replaced deadline leaves no sleeper behind.
final class Alarm: Service {
    private struct Armed: Sendable {
        let deadline: Date
        let generation: Int
    }

    private struct State {
        var generation = 0
        /// The newest arming `run` has not taken yet.
        var pending: Armed?
        /// `run`, waiting for an arming.
        var waiter: CheckedContinuation<Armed?, Never>?
        /// The service ended: no arming is taken any more.
        var ended = false
    }

    private let clock: any KeyrotClock
    private let fire: @Sendable (Int) -> Void
    private let state = Mutex(State())

    init(clock: any KeyrotClock, fire: @escaping @Sendable (_ generation: Int) -> Void) {
        self.clock = clock
        self.fire = fire
    }

    /// Sets the deadline, replacing the pending one, and returns the generation `fire` will get.
    @discardableResult
    func arm(at deadline: Date) -> Int {
        let (armed, waiter) = state.withLock { state in
            state.generation += 1
            let armed = Armed(deadline: deadline, generation: state.generation)
            let waiter = state.waiter
            state.waiter = nil
            if waiter == nil { state.pending = armed }
            return (armed, waiter)
        }
        waiter?.resume(returning: armed)
        return armed.generation
    }

    /// Sleeps until each armed deadline in turn, until the group shuts down.
    func run() async {
        await cancelWhenGracefulShutdown { [self] in
            var next = await nextArming()
            while let armed = next {
                next = await withDiscardingTaskGroup(returning: Armed?.self) { sleeping in
                    sleeping.addTask { [clock, fire] in
                        do { try await clock.sleep(until: armed.deadline) } catch { return }
                        fire(armed.generation)
                    }
                    let following = await nextArming()
                    sleeping.cancelAll()
                    return following
                }
            }
        }
    }

    /// The next arming, waiting for one when none is pending; nil once the task is cancelled.
    private func nextArming() async -> Armed? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Armed?, Never>) in
                let ready: Armed?? = state.withLock { state in
                    if state.ended { return .some(nil) }
                    if let pending = state.pending {
                        state.pending = nil
                        return .some(pending)
                    }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                state.ended = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }
}
