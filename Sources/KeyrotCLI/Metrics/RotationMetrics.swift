import FoundationEssentials
import KeyrotCore
import Prometheus
import RotationEngine

/// The metrics operators alert on (docs/alerts.md): the current key's creation time, the last
/// successful rotation and the last attempt, rotations by result, the phase, and the build. Kept
/// in swift-prometheus' registry, which renders the text exposition format without timestamps,
/// as node_exporter's textfile collector requires. The registry is used directly rather than
/// through swift-metrics' global `MetricsSystem`: keyrotd publishes a file, not an endpoint, and a
/// process-wide bootstrap would tie every test to one registry. Never holds a secret.
final class RotationMetrics: Sendable {
    /// The outcomes counted in `keyrotd_rotations_total{result}`, all present from the start so that
    /// `increase()` sees the first one.
    enum Result: String, CaseIterable {
        case completed
        case rolledBack = "rolled_back"
        case failed
    }

    private let registry: PrometheusCollectorRegistry
    private let keyCreated: Gauge
    private let lastSuccess: Gauge
    private let lastAttempt: Gauge
    private let rotations: [Result: Counter]
    private let phases: [RotationPhase: Gauge]
    /// Fleet mode only: hosts dropped from the fleet after `member_grace` (an alert's subject: the
    /// host must rejoin with `keyrotd fleet join`).
    private let membersDropped: Counter?

    init(user: String, version: String, history: MetricsHistory, fleet: Bool = false) {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        keyCreated = registry.makeGauge(
            name: "keyrotd_access_key_created_timestamp_seconds", labels: [("user", user)],
            help: "When the access key in the files was created (Unix time).")
        lastSuccess = registry.makeGauge(
            name: "keyrotd_last_success_timestamp_seconds",
            help: "When the last rotation completed (Unix time); 0 before the first one.")
        lastAttempt = registry.makeGauge(
            name: "keyrotd_last_attempt_timestamp_seconds",
            help: "When the last rotation started (Unix time); 0 before the first one.")
        rotations = Dictionary(uniqueKeysWithValues: Result.allCases.map { result in
            (result, registry.makeCounter(name: "keyrotd_rotations_total", labels: [("result", result.rawValue)],
                                          help: "Rotations by how they ended, since the state directory was created."))
        })
        phases = Dictionary(uniqueKeysWithValues: RotationPhase.allCases.map { phase in
            (phase, registry.makeGauge(name: "keyrotd_phase", labels: [("phase", phase.rawValue)],
                                       help: "1 for the phase the rotation record is in, 0 for the others."))
        })
        membersDropped = fleet ? registry.makeCounter(
            name: "keyrotd_fleet_members_dropped_total",
            help: "Hosts dropped from the fleet after member_grace while this host led; each must rejoin with keyrotd fleet join.") : nil
        registry.makeGauge(name: "keyrotd_build_info", labels: [("version", version)],
                           help: "Always 1; the version label tells which keyrotd runs.").set(to: 1)
        restore(history)
    }

    /// Puts back what survives a restart, so that a restarted daemon does not report "never".
    private func restore(_ history: MetricsHistory) {
        if let date = history.keyCreatedAt { keyCreated.set(date.timeIntervalSince1970) }
        if let date = history.lastSuccessAt { lastSuccess.set(date.timeIntervalSince1970) }
        if let date = history.lastAttemptAt { lastAttempt.set(date.timeIntervalSince1970) }
        for (result, counter) in rotations {
            counter.increment(by: Int64(history.rotations[result.rawValue] ?? 0))
        }
        phase(history.phase ?? .idle)
        membersDropped?.increment(by: Int64(history.fleetMembersDropped ?? 0))
    }

    func phase(_ current: RotationPhase) {
        for (phase, gauge) in phases {
            gauge.set(to: phase == current ? 1 : 0)
        }
    }

    func keyCreated(at date: Date) {
        keyCreated.set(date.timeIntervalSince1970)
    }

    func attemptStarted(at date: Date) {
        lastAttempt.set(date.timeIntervalSince1970)
    }

    func finished(_ result: Result, at date: Date) {
        rotations[result]?.increment()
        if result == .completed { lastSuccess.set(date.timeIntervalSince1970) }
    }

    func memberDropped() {
        membersDropped?.increment()
    }

    /// The text exposition, sorted by metric name so that the file reads the same way each time.
    func render() -> [UInt8] {
        registry.emitToBuffer()
    }
}
