import DurableFS
import FoundationEssentials
import KeyrotCore
import Logging
import RotationEngine
import Synchronization

/// Keeps `metrics_file` current for node_exporter's textfile collector: rewritten atomically (a
/// temporary file renamed over it, mode 0644: it holds no secret and the exporter runs as another
/// user) after each saved phase change and at the end of each run, which includes each check.
final class MetricsRecorder: Sendable {
    private let path: String
    private let stateDirectory: String
    private let maxAge: TimeInterval
    private let clock: any KeyrotClock
    private let logger: Logger
    private let metrics: RotationMetrics
    /// The history as last saved, and whether the last write failed (logged once, not every run).
    private let state: Mutex<(history: MetricsHistory, failing: Bool)>

    init(path: String, stateDirectory: String, user: String, version: String, maxAge: TimeInterval,
         clock: any KeyrotClock, logger: Logger, fleet: Bool = false) {
        self.path = path
        self.stateDirectory = stateDirectory
        self.maxAge = maxAge
        self.clock = clock
        self.logger = logger
        let history = MetricsHistory.load(stateDirectory: stateDirectory)
        metrics = RotationMetrics(user: user, version: version, history: history, fleet: fleet)
        state = Mutex((history, false))
    }

    /// The engine saved its record: publish a new phase (and when a rotation starts or switches).
    func saved(_ record: RotationRecord) {
        update { history in
            guard history.phase != record.phase else { return false }
            history.phase = record.phase
            metrics.phase(record.phase)
            let now = clock.now
            if record.phase == .creating {
                history.lastAttemptAt = now
                metrics.attemptStarted(at: now)
            }
            // From the switch on, the files hold the new key.
            if record.phase == .overlapping, let createdAt = record.createdAt {
                history.keyCreatedAt = createdAt
                metrics.keyCreated(at: createdAt)
            }
            return true
        }
    }

    /// A run ended: count it, and learn the key's age from a check.
    func finished(_ outcome: RotationOutcome) {
        update { history in
            let now = clock.now
            let result: RotationMetrics.Result
            switch outcome {
            case .idle(let nextDue):
                guard let nextDue else { return false }
                let createdAt = nextDue.addingTimeInterval(-maxAge)
                history.keyCreatedAt = createdAt
                metrics.keyCreated(at: createdAt)
                return true
            case .deferred, .interrupted, .retirementPending:
                return false
            case .completed: result = .completed
            case .rolledBack: result = .rolledBack
            case .failed, .refused: result = .failed
            }
            history.rotations[result.rawValue, default: 0] += 1
            if result == .completed { history.lastSuccessAt = now }
            metrics.finished(result, at: now)
            return true
        }
    }

    /// Fleet mode: this host, leading, dropped a member past `member_grace`.
    func memberDropped() {
        update { history in
            history.fleetMembersDropped = (history.fleetMembersDropped ?? 0) + 1
            metrics.memberDropped()
            return true
        }
    }

    /// Applies `change` to the history; when it changed something, saves the history and rewrites the file.
    private func update(_ change: (inout MetricsHistory) -> Bool) {
        state.withLock { state in
            guard change(&state.history) else { return }
            do {
                try state.history.save(stateDirectory: stateDirectory)
                try DurableFS.write(path, bytes: metrics.render(), mode: 0o644)
                if state.failing { logger.notice("metrics are written to \(path) again") }
                state.failing = false
            } catch {
                if !state.failing {
                    logger.warning("cannot write the metrics file \(path): \(error); let keyrotd write its folder (ReadWritePaths= in a drop-in) or fix metrics_file")
                }
                state.failing = true
            }
        }
    }
}

/// The state store, telling the metrics about every saved phase.
struct MetricsStateStore: RotationStateStore {
    let wrapped: any RotationStateStore
    let recorder: MetricsRecorder

    func load() async throws -> RotationRecord? {
        try await wrapped.load()
    }

    func save(_ record: RotationRecord) async throws {
        try await wrapped.save(record)
        recorder.saved(record)
    }
}
