import KeyrotCore
import RotationEngine
import Synchronization

/// The services of `restart_units`: each runs the key the first credential file held when it last
/// started (as a consumer that reads its file at start), or is down. A restart reads the file
/// again; a try-restart leaves a down unit down, a restart with `startIfStopped` starts it; failures
/// can be injected per unit, with the effect a real one would have: `.accessDenied` and
/// `.noSuchEntity` and `.unreachable` (the bus is down) restart nothing, `.failed` stops the unit
/// and leaves it down.
public final class FakeConsumerRestarter: ConsumerRestarter {
    struct State {
        var running: [String: AccessKeyID?] = [:]
        /// Per unit, what its next restarts do: nil succeeds.
        var failures: [String: [RotationPortError?]] = [:]
        var restarts: [(unit: String, key: AccessKeyID?)] = []
    }

    private let crashSwitch: FakeCrashSwitch
    private let state = Mutex(State())
    /// The key id a unit starting now would read.
    private let currentKey: @Sendable () -> AccessKeyID?

    public init(crashSwitch: FakeCrashSwitch, units: [String], runningKey: AccessKeyID?, currentKey: @escaping @Sendable () -> AccessKeyID?) {
        self.crashSwitch = crashSwitch
        self.currentKey = currentKey
        state.withLock { state in
            for unit in units { state.running[unit] = .some(runningKey) }
        }
    }

    /// After `afterSuccesses` more restarts of `unit` that work, the next `times` fail with `error`.
    public func inject(_ error: RotationPortError, into unit: String, times: Int = 1, afterSuccesses: Int = 0) {
        state.withLock {
            $0.failures[unit, default: []] += Array(repeating: nil, count: afterSuccesses) + Array(repeating: error, count: times)
        }
    }

    /// The key `unit` runs with; nil when it is down (or unknown).
    public func runningKey(of unit: String) -> AccessKeyID? {
        state.withLock { $0.running[unit] ?? nil }
    }

    /// The units running `id`.
    public func units(running id: AccessKeyID) -> [String] {
        state.withLock { $0.running.filter { $0.value == id }.map(\.key).sorted() }
    }

    /// Every restart that took effect, in order, with the key the unit read.
    public var restarts: [(unit: String, key: AccessKeyID?)] { state.withLock { $0.restarts } }

    /// Stops `unit` (an operator's `systemctl stop`).
    public func stop(_ unit: String) {
        state.withLock { $0.running[unit] = .some(nil) }
    }

    public func restart(unit: String, startIfStopped: Bool) async throws -> UnitRestartOutcome {
        let key = currentKey()
        return try crashSwitch.operate("restarter.restart \(unit)") {
            try state.withLock { state in
                guard let running = state.running[unit] else {
                    throw RotationPortError(.noSuchEntity, "\(unit) is not loaded")
                }
                if running == nil, !startIfStopped { return .notRunning }
                let failure = state.failures[unit]?.isEmpty == false ? state.failures[unit]?.removeFirst() ?? nil : nil
                switch failure?.code {
                case .accessDenied?, .noSuchEntity?, .unreachable?:
                    break
                case .failed?:
                    state.running[unit] = .some(nil)
                    state.restarts.append((unit, nil))
                case nil:
                    state.running[unit] = .some(key)
                    state.restarts.append((unit, key))
                }
                if let failure { throw failure }
                return .restarted
            }
        }
    }
}
