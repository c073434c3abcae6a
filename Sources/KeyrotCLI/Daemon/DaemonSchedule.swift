import Foundation
import KeyrotConfig
import RotationEngine

/// When the daemon wakes next, from what the last run ended with: no periodic wake-ups beyond
/// `check_interval`, and failures retried with exponential backoff up to it.
struct DaemonSchedule {
    let checkInterval: TimeInterval
    let firstRetryDelay: TimeInterval
    private(set) var consecutiveFailures = 0

    init(checkInterval: TimeInterval, firstRetryDelay: TimeInterval = 60) {
        self.checkInterval = checkInterval
        self.firstRetryDelay = firstRetryDelay
    }

    /// Alone, the daemon looks every `check_interval`; in a fleet, every `fleet.poll_interval`
    /// (each wake is a member round: heartbeat, apply, catch up).
    init(for configuration: KeyrotConfiguration) {
        self.init(checkInterval: (configuration.fleet?.pollInterval ?? configuration.checkInterval).timeInterval)
    }

    mutating func nextWake(after outcome: RotationOutcome, now: Date) -> Date {
        let regular = now.addingTimeInterval(checkInterval)
        switch outcome {
        case .idle(let nextDue):
            consecutiveFailures = 0
            return min(nextDue ?? regular, regular)
        case .completed, .interrupted:
            consecutiveFailures = 0
            return regular
        case .deferred(_, let retryAt, _):
            return min(retryAt, regular)
        case .retirementPending(_, _, _, let resumesAt):
            consecutiveFailures = 0
            return min(resumesAt, regular)
        case .refused, .failed, .rolledBack:
            consecutiveFailures += 1
            let backoff = firstRetryDelay * pow(2, Double(consecutiveFailures - 1))
            return now.addingTimeInterval(min(backoff, checkInterval))
        }
    }
}
