import Foundation
import RotationEngine

/// The real wall clock. Sleeps in slices of at most a minute, so that a changed system clock
/// (NTP step, suspend) is noticed within a minute.
struct SystemRotationClock: RotationClock {
    var now: Date { Date() }

    func sleep(until deadline: Date) async throws {
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return }
            try await Task.sleep(for: .seconds(min(remaining, 60)))
        }
    }
}
