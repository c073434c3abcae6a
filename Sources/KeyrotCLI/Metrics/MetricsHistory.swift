import DurableFS
import FoundationEssentials
import RotationEngine

/// What the metrics must remember across restarts and across processes (the daemon and a
/// foreground `keyrotd rotate` take turns on one state directory): `<state>/metrics.json`. A
/// counter that fell back to zero at each restart would hide the failures an alert counts.
struct MetricsHistory: Codable, Equatable {
    var keyCreatedAt: Date?
    var lastSuccessAt: Date?
    var lastAttemptAt: Date?
    var phase: RotationPhase?
    /// `keyrotd_rotations_total` by result label.
    var rotations: [String: Int] = [:]
    /// Fleet mode: `keyrotd_fleet_members_dropped_total` (absent in histories written before it).
    var fleetMembersDropped: Int?

    static func path(stateDirectory: String) -> String { StateDirectoryLayout(stateDirectory).metricsHistory }

    /// The saved history; empty when there is none or it cannot be read (metrics never stop a rotation).
    static func load(stateDirectory: String) -> MetricsHistory {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        guard let bytes = try? DurableFS.read(path(stateDirectory: stateDirectory)),
              let history = try? decoder.decode(MetricsHistory.self, from: Data(bytes))
        else { return MetricsHistory() }
        return history
    }

    func save(stateDirectory: String) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        try DurableFS.writePrivate(Self.path(stateDirectory: stateDirectory), bytes: Array(try encoder.encode(self)))
    }
}
