import FoundationEssentials
import KeyrotCore

/// A clock that tells when the engine first settles into a long wait.
///
/// `keyrotd run` sends READY=1 once crash recovery is done. Recovering a rotation that was in
/// its overlap or grace period means waiting for hours, so "done" is the first wait longer than
/// `threshold` (the propagation checks' short backoff waits do not count) or the end of the run.
struct ReadinessClock: KeyrotClock {
    let wrapped: any KeyrotClock
    let threshold: TimeInterval
    let onLongWait: @Sendable () -> Void

    var now: Date { wrapped.now }

    func sleep(until deadline: Date) async throws {
        if deadline.timeIntervalSince(wrapped.now) >= threshold {
            onLongWait()
        }
        try await wrapped.sleep(until: deadline)
    }
}
