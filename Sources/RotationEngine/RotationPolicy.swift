import Foundation
import KeyrotCore

/// What the engine needs from the configuration (the config target maps keyrotd.yml onto it).
public struct RotationPolicy: Sendable, Hashable {
    /// The IAM user whose keys are rotated.
    public var user: String
    /// Absolute paths of the credential files, in configuration order.
    public var files: [String]
    /// Rotate when the active key is older than this.
    public var maxAge: TimeInterval
    /// How long the old key stays Active after the files switched.
    public var overlap: TimeInterval
    /// How long the old key stays Inactive before it is deleted.
    public var grace: TimeInterval
    /// How long the new key may take to start working before the rotation rolls back.
    public var propagationTimeout: TimeInterval
    /// Consecutive successful identity checks the new key must pass.
    public var requiredConsecutiveChecks: Int
    /// Delete an Active second key that no file uses instead of refusing.
    public var deleteUnknownActiveKeys: Bool
    /// Whether a `verify_command` runs after the files are written.
    public var hasVerifyCommand: Bool
    /// First wait after a failed identity check; doubles up to `maximumCheckDelay`.
    public var initialCheckDelay: TimeInterval
    public var maximumCheckDelay: TimeInterval
    /// A key created this long before the recorded intent still counts as ours (clock skew).
    public var clockSlack: TimeInterval
    /// First wait before retrying a failed step after the switch (or of a rollback); doubles up to `maximumRetryDelay`.
    public var initialRetryDelay: TimeInterval
    public var maximumRetryDelay: TimeInterval
    /// Retries of such a step within one run before the run returns `.deferred` (the record keeps it).
    public var retriesPerRun: Int

    public init(
        user: String,
        files: [String],
        maxAge: TimeInterval = 90 * 86_400,
        overlap: TimeInterval = 3_600,
        grace: TimeInterval = 86_400,
        propagationTimeout: TimeInterval = 120,
        requiredConsecutiveChecks: Int = 3,
        deleteUnknownActiveKeys: Bool = false,
        hasVerifyCommand: Bool = false,
        initialCheckDelay: TimeInterval = 1,
        maximumCheckDelay: TimeInterval = 8,
        clockSlack: TimeInterval = 300,
        initialRetryDelay: TimeInterval = 30,
        maximumRetryDelay: TimeInterval = 3_600,
        retriesPerRun: Int = 8
    ) {
        self.user = user
        self.files = files
        self.maxAge = maxAge
        self.overlap = overlap
        self.grace = grace
        self.propagationTimeout = propagationTimeout
        self.requiredConsecutiveChecks = requiredConsecutiveChecks
        self.deleteUnknownActiveKeys = deleteUnknownActiveKeys
        self.hasVerifyCommand = hasVerifyCommand
        self.initialCheckDelay = initialCheckDelay
        self.maximumCheckDelay = maximumCheckDelay
        self.clockSlack = clockSlack
        self.initialRetryDelay = initialRetryDelay
        self.maximumRetryDelay = maximumRetryDelay
        self.retriesPerRun = retriesPerRun
    }

    /// When a key created at `keyCreatedAt` is due for rotation.
    public func nextDueDate(keyCreatedAt: Date) -> Date {
        keyCreatedAt.addingTimeInterval(maxAge)
    }

    /// When the next rotation is due given the record and the keys IAM lists: while a rotation is
    /// in flight, its next deadline; otherwise the active key's creation plus `maxAge`.
    public func nextDueDate(record: RotationRecord?, activeKey: AccessKeyMetadata?) -> Date? {
        if let record {
            switch record.phase {
            case .overlapping: return record.switchedAt.map { $0.addingTimeInterval(overlap) }
            case .deactivated: return record.deactivatedAt.map { $0.addingTimeInterval(grace) }
            case .idle: break
            default: return record.nextAttemptAt ?? record.intentAt
            }
        }
        return activeKey.map { nextDueDate(keyCreatedAt: $0.createdAt) }
    }

    func retryDelay(afterAttempts attempts: Int) -> TimeInterval {
        min(maximumRetryDelay, initialRetryDelay * pow(2, Double(max(0, attempts - 1))))
    }
}
