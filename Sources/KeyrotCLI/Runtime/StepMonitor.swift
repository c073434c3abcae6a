import FoundationEssentials
import KeyrotConfig
import KeyrotCore
import Synchronization

/// Which port calls are in flight and since when, so that the watchdog pings only while the work
/// is alive: a call still running past its bound (a file open blocked on a FIFO, a hung network
/// mount, an IAM call beyond every deadline of the client) stops the pings, and systemd restarts
/// keyrotd, which resumes from the record. Deliberate waits (overlap, grace, retry backoff) are
/// the engine's clock sleeps, not port calls: they never count as stuck.
final class StepMonitor: PortCallHook {
    /// How long one call of each kind may take before it counts as stuck.
    struct Bounds: Sendable {
        /// A file or state-record operation: local disk work of milliseconds; 15 s leaves room for
        /// a slow disk while a stuck call is caught well within a few watchdog periods.
        var file: Duration = .seconds(15)
        /// An IAM or STS call: the IAM client's retry deadline (60 s) plus its last request timeout.
        var iam: Duration = .seconds(90)
        /// `verify_command`: its timeout, plus the 5 s between SIGTERM and SIGKILL, plus margin.
        var verify: Duration
        /// One unit's restart: `restart_timeout` (the restarter's own bound) plus margin.
        var restart: Duration

        init(verifyTimeout: Duration, restartTimeout: Duration) {
            verify = verifyTimeout + .seconds(10)
            restart = restartTimeout + .seconds(10)
        }

        init(_ configuration: KeyrotConfiguration) {
            self.init(verifyTimeout: configuration.verifyTimeout, restartTimeout: configuration.restartTimeout)
        }

        func bound(for kind: PortCall.Kind) -> Duration {
            switch kind {
            case .iam: iam
            case .file, .stateLoad, .stateSave: file
            case .verify: verify
            case .restart: restart
            }
        }
    }

    /// A call in flight past its bound.
    struct StuckCall: Sendable, CustomStringConvertible {
        let name: String
        let elapsed: TimeInterval
        let bound: Duration

        var description: String {
            "\(name) has been running for \(Int(elapsed)) s (its bound is \(bound.components.seconds) s)"
        }
    }

    private struct InFlight {
        let name: String
        let started: Date
        let bound: Duration
    }

    private let clock: any KeyrotClock
    private let bounds: Mutex<Bounds>
    private let inFlight = Mutex<(next: Int, calls: [Int: InFlight])>((0, [:]))

    init(clock: any KeyrotClock, bounds: Bounds) {
        self.clock = clock
        self.bounds = Mutex(bounds)
    }

    /// A reloaded configuration may change `verify_timeout`.
    func update(_ newBounds: Bounds) {
        bounds.withLock { $0 = newBounds }
    }

    func around<T: Sendable>(_ call: PortCall, _ work: () async throws -> T) async throws -> T {
        let entry = InFlight(name: call.name, started: clock.now, bound: bounds.withLock { $0.bound(for: call.kind) })
        let id = inFlight.withLock { state in
            state.next += 1
            state.calls[state.next] = entry
            return state.next
        }
        defer { _ = inFlight.withLock { $0.calls.removeValue(forKey: id) } }
        return try await work()
    }

    /// The call furthest past its bound, or nil when every call in flight is within its bound.
    func stuckCall() -> StuckCall? {
        let now = clock.now
        let calls: [InFlight] = inFlight.withLock { Array($0.calls.values) }
        var worst: (call: StuckCall, overrun: TimeInterval)?
        for call in calls {
            let elapsed = now.timeIntervalSince(call.started)
            let overrun = elapsed - call.bound.timeInterval
            if overrun > 0, overrun > worst?.overrun ?? 0 {
                worst = (StuckCall(name: call.name, elapsed: elapsed, bound: call.bound), overrun)
            }
        }
        return worst?.call
    }

    /// The calls in flight now (a stop that abandons them names them).
    var callsInFlight: [String] {
        inFlight.withLock { $0.calls.values.map(\.name) }
    }
}
