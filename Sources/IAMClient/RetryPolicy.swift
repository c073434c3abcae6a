import FoundationEssentials

/// How often and how long a call is retried: exponential backoff with full jitter
/// (`random(0,1) * min(cap, base * 2^(attempt-1))`), bounded by attempts and by a deadline.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts including the first.
    public var maxAttempts: Int
    /// No new attempt starts (and no sleep is begun) that would end after `start + deadline`.
    public var deadline: Duration
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// Timeout of each single HTTP request.
    public var requestTimeout: Duration

    public init(maxAttempts: Int = 4, deadline: Duration = .seconds(60), baseDelay: Duration = .milliseconds(500),
                maxDelay: Duration = .seconds(20), requestTimeout: Duration = .seconds(15)) {
        self.maxAttempts = maxAttempts
        self.deadline = deadline
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.requestTimeout = requestTimeout
    }

    /// The delay before attempt `attempt + 1`, given a uniform random number in [0, 1).
    public func delay(afterAttempt attempt: Int, random: Double) -> Duration {
        let exponent = min(attempt - 1, 30)
        let ceiling = min(maxDelay, baseDelay * (1 << exponent))
        return ceiling * random
    }
}
