import Foundation
import RotationEngine

/// The age of the key in use, as STATUS and `keyrotd status` show it. Neither calls AWS: the age
/// comes from the last idle run, which found the key due at its creation plus `max_age`.
enum KeyAge {
    static func createdAt(nextDue: Date?, maxAge: TimeInterval) -> Date? {
        nextDue?.addingTimeInterval(-maxAge)
    }

    static func days(createdAt: Date, now: Date) -> Int {
        max(0, Int(now.timeIntervalSince(createdAt) / 86_400))
    }

    /// "12 days", "1 day".
    static func text(days: Int) -> String {
        "\(days) day\(days == 1 ? "" : "s")"
    }
}

extension RotationOutcome {
    /// The next due date of a run that found nothing to do.
    var nextDueWhenIdle: Date? {
        if case .idle(let nextDue) = self { return nextDue }
        return nil
    }
}
