import DurableFS
import FoundationEssentials
import RotationEngine

/// What the last run ended with and when the next rotation is due (`StateDirectoryLayout.lastRun`), read
/// by `keyrotd status` (which never calls AWS). Holds no secret.
struct LastRunRecord: Codable, Equatable {
    var finishedAt: Date
    var result: String
    var nextDue: Date?
    var message: String
    /// When the key in use was created, as the run found it (an idle run's `nextDue - max_age`).
    var keyCreatedAt: Date?

    init(outcome: RotationOutcome, at date: Date, maxAge: TimeInterval) {
        finishedAt = date
        message = OutcomeReport.text(outcome)
        keyCreatedAt = KeyAge.createdAt(nextDue: outcome.nextDueWhenIdle, maxAge: maxAge)
        switch outcome {
        case .completed: result = "completed"; nextDue = nil
        case .idle(let due): result = "idle"; nextDue = due
        case .refused: result = "refused"; nextDue = nil
        case .failed: result = "failed"; nextDue = nil
        case .rolledBack: result = "rolled_back"; nextDue = nil
        case .deferred(_, let retryAt, _): result = "deferred"; nextDue = retryAt
        case .retirementPending(_, _, _, let resumesAt): result = "retirement_pending"; nextDue = resumesAt
        case .interrupted: result = "interrupted"; nextDue = nil
        }
    }

    static func path(stateDirectory: String) -> String { StateDirectoryLayout(stateDirectory).lastRun }

    func save(stateDirectory: String) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(self) else { return }
        try? DurableFS.writePrivate(Self.path(stateDirectory: stateDirectory), bytes: Array(data))
    }

    static func load(stateDirectory: String) -> LastRunRecord? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let data = FileManager.default.contents(atPath: path(stateDirectory: stateDirectory)) else { return nil }
        return try? decoder.decode(LastRunRecord.self, from: data)
    }
}
