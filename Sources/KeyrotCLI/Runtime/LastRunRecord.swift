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

    init(outcome: RotationOutcome, at date: Date) {
        finishedAt = date
        message = OutcomeReport.text(outcome)
        switch outcome {
        case .completed: result = "completed"; nextDue = nil
        case .idle(let due): result = "idle"; nextDue = due
        case .refused: result = "refused"; nextDue = nil
        case .failed: result = "failed"; nextDue = nil
        case .rolledBack: result = "rolled_back"; nextDue = nil
        case .deferred(_, let retryAt, _): result = "deferred"; nextDue = retryAt
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
