import Synchronization

/// Simulates a process kill for the in-memory fakes: every port operation of a `FakeWorld`
/// passes through `operate`, which numbers it and, at the armed operation, "kills" the world:
/// from then on every operation (and every sleep) throws, so nothing more becomes durable.
public final class FakeCrashSwitch: Sendable {
    /// Where the kill lands relative to the armed operation.
    public enum Timing: Sendable, Hashable, CaseIterable {
        /// The operation never takes effect (killed just before it).
        case beforeEffect
        /// The operation takes effect, but its caller never sees the result.
        case afterEffect
    }

    public struct Killed: Error, Sendable, CustomStringConvertible {
        public var description: String { "simulated crash" }
    }

    struct State {
        var count = 0
        var armed: (index: Int, timing: Timing)?
        var armedName: (name: String, timing: Timing)?
        var killed = false
        var log: [String] = []
        var observer: (@Sendable (String) -> Void)?
    }

    private let state = Mutex(State())

    public init() {}

    /// Kill the world at operation `index` (0-based, counted from now).
    public func arm(at index: Int, _ timing: Timing) {
        state.withLock { $0.armed = ($0.count + index, timing); $0.killed = false }
    }

    /// Kill the world at the next operation named `name` (e.g. `iam.create`).
    public func arm(atNext name: String, _ timing: Timing) {
        state.withLock { $0.armedName = (name, timing); $0.killed = false }
    }

    /// Kill the world now: every later operation (and sleep) throws.
    public func kill() {
        state.withLock { $0.killed = true }
    }

    /// A new process: nothing armed, the world alive again.
    public func revive() {
        state.withLock { $0.armed = nil; $0.armedName = nil; $0.killed = false }
    }

    public var isKilled: Bool { state.withLock { $0.killed } }
    /// Operations performed so far (including the killed one).
    public var operationCount: Int { state.withLock { $0.count } }
    /// Every operation's name, in order.
    public var log: [String] { state.withLock { $0.log } }

    /// Calls `observer` with each operation's name as it starts (after this call's operations).
    public func observe(_ observer: @escaping @Sendable (String) -> Void) {
        state.withLock { $0.observer = observer }
    }

    public func checkAlive() throws {
        if isKilled { throw Killed() }
    }

    /// Performs `body` as operation `name` unless the world is (or gets) killed.
    public func operate<T>(_ name: String, _ body: () throws -> T) throws -> T {
        state.withLock { $0.observer }?(name)
        let timing: Timing? = try state.withLock { state in
            if state.killed { throw Killed() }
            let index = state.count
            state.count += 1
            state.log.append(name)
            let timing: Timing
            if let armed = state.armed, armed.index == index {
                timing = armed.timing
            } else if let armed = state.armedName, armed.name == name {
                state.armedName = nil
                timing = armed.timing
            } else {
                return nil
            }
            if timing == .beforeEffect { state.killed = true; throw Killed() }
            return timing
        }
        guard timing == .afterEffect else { return try body() }
        // The operation happens (or fails) as usual, but its caller never learns how it went.
        _ = try? body()
        state.withLock { $0.killed = true }
        throw Killed()
    }
}
