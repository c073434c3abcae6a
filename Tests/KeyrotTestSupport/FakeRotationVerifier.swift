import RotationEngine
import Synchronization

/// The verify command: succeeds unless failures are injected; counts its runs.
public final class FakeRotationVerifier: RotationVerifier {
    private let crashSwitch: FakeCrashSwitch
    private let state = Mutex((runs: 0, passes: 0, failures: [RotationPortError]()))
    /// Called on each run; returns a violation text if the world is not ready to be verified.
    private let probe: @Sendable () -> String?

    public init(crashSwitch: FakeCrashSwitch, probe: @escaping @Sendable () -> String? = { nil }) {
        self.crashSwitch = crashSwitch
        self.probe = probe
    }

    public func inject(_ error: RotationPortError, times: Int = 1) {
        state.withLock { $0.failures += Array(repeating: error, count: times) }
    }

    public var runs: Int { state.withLock { $0.runs } }
    public var passes: Int { state.withLock { $0.passes } }

    public func verify() async throws {
        try crashSwitch.operate("verify") {
            try state.withLock { state in
                state.runs += 1
                if !state.failures.isEmpty { throw state.failures.removeFirst() }
                if let problem = probe() { throw RotationPortError(.failed, problem) }
                state.passes += 1
            }
        }
    }
}
