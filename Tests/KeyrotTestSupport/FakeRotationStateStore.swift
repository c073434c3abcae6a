import Foundation
import RotationEngine
import Synchronization

/// The state directory in memory. Every save goes through the record's JSON encoding (so what
/// survives a crash is exactly what the real store would read back); saves can be made to fail.
public final class FakeRotationStateStore: RotationStateStore {
    struct State {
        var data: Data?
        /// (saves to let through first, error), in order.
        var failures: [(successes: Int, error: RotationPortError)] = []
    }

    private let crashSwitch: FakeCrashSwitch
    private let state = Mutex(State())

    public init(crashSwitch: FakeCrashSwitch) {
        self.crashSwitch = crashSwitch
    }

    /// After `afterSuccesses` more successful saves, the next `times` saves fail.
    public func injectSaveFailure(_ error: RotationPortError, afterSuccesses: Int = 0, times: Int = 1) {
        state.withLock { state in
            state.failures.append((afterSuccesses, error))
            state.failures += Array(repeating: (0, error), count: max(0, times - 1))
        }
    }

    /// The stored JSON, as the state file would hold it.
    public var storedData: Data? { state.withLock { $0.data } }

    /// Puts a state file in place (restoring a saved world).
    public func replaceStoredData(_ data: Data?) {
        state.withLock { $0.data = data }
    }

    public var record: RotationRecord? {
        get throws { try storedData.map(RotationRecord.decoded(from:)) }
    }

    public func load() async throws -> RotationRecord? {
        let data = try crashSwitch.operate("store.load") { state.withLock { $0.data } }
        return try data.map(RotationRecord.decoded(from:))
    }

    public func save(_ record: RotationRecord) async throws {
        let data = try record.encoded()
        try crashSwitch.operate("store.save \(record.phase)") {
            try state.withLock { state in
                if let first = state.failures.first {
                    if first.successes == 0 {
                        state.failures.removeFirst()
                        throw first.error
                    }
                    state.failures[0].successes -= 1
                }
                state.data = data
            }
        }
    }
}
