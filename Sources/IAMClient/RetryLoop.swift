import Foundation
import KeyrotCore

/// What one failed attempt means for the call it belongs to.
package enum RetryVerdict: Sendable {
    /// Another attempt may succeed (throttled, not sent, a failure on AWS's side); `failure` is what
    /// the call throws when attempts or deadline run out.
    case retry(any Error)
    /// Final: the call throws `failure` now.
    case fail(any Error)
}

extension RetryPolicy {
    /// Runs `attempt` until it succeeds, `verdict` says the failure is final, or the policy's
    /// attempts or deadline are spent. Every wait is a sleep on `clock`; every attempt gets the
    /// request timeout, cut to what is left of the deadline. Shared by the Query (IAM, STS) and JSON
    /// (Secrets Manager, DynamoDB) clients, so both back off alike.
    ///
    /// - Parameters:
    ///   - random: uniform in [0, 1), the jitter of the backoff.
    ///   - attempt: one signed request; receives the attempt number (from 1) and its timeout.
    ///   - verdict: classifies what `attempt` threw, given the attempt number.
    ///   - willRetry: told about each retry (the failure, the attempt number, the delay) before the sleep.
    package func run<Result>(
        clock: any KeyrotClock, random: () -> Double,
        attempt: (_ number: Int, _ timeout: Duration) async throws -> Result,
        verdict: (_ error: any Error, _ number: Int) -> RetryVerdict,
        willRetry: (_ failure: any Error, _ number: Int, _ delay: Duration) -> Void
    ) async throws -> Result {
        let start = clock.now
        var number = 0
        while true {
            number += 1
            let remaining = deadline - .seconds(clock.now.timeIntervalSince(start))
            let failure: any Error
            do {
                return try await attempt(number, min(requestTimeout, remaining))
            } catch {
                switch verdict(error, number) {
                case .fail(let final): throw final
                case .retry(let retryable): failure = retryable
                }
            }
            let delay = delay(afterAttempt: number, random: random())
            let elapsed = Duration.seconds(clock.now.timeIntervalSince(start))
            guard number < maxAttempts, elapsed + delay < deadline else { throw failure }
            willRetry(failure, number, delay)
            try await clock.sleep(for: delay)
        }
    }
}
