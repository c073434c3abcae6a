import Foundation
import KeyrotCore

/// What the engine needs from the configuration (KeyrotCLI maps keyrotd.yml onto it; the
/// configured settings' defaults live in `KeyrotConfiguration.Defaults` only).
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
    /// The systemd units restarted, in this order, once every file holds the new key (`restart_units`).
    public var restartUnits: [String] = []
    /// First wait after a failed identity check; doubles up to `maximumCheckDelay`.
    public var initialCheckDelay: TimeInterval = 1
    public var maximumCheckDelay: TimeInterval = 8
    /// A key created this long before the recorded intent still counts as ours (clock skew).
    public var clockSlack: TimeInterval = 300
    /// First wait before retrying a failed step after the switch (or of a rollback); doubles up to `maximumRetryDelay`.
    public var initialRetryDelay: TimeInterval = 30
    public var maximumRetryDelay: TimeInterval = 3_600
    /// Retries of such a step within one run before the run returns `.deferred` (the record keeps it).
    public var retriesPerRun = 8
    /// Whether a run waits through the overlap and the grace (the daemon), or ends with
    /// `.retirementPending` when one of them has time left (`keyrotd rotate` without `--wait`).
    public var waitsForRetirement = true

    public init(
        user: String, files: [String], maxAge: TimeInterval, overlap: TimeInterval, grace: TimeInterval,
        propagationTimeout: TimeInterval, requiredConsecutiveChecks: Int, deleteUnknownActiveKeys: Bool,
        hasVerifyCommand: Bool
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
            case .overlapping: return record.overlapEndsAt(overlap: overlap)
            case .deactivated: return record.graceEndsAt(grace: grace)
            case .idle: break
            default: return record.nextAttemptAt ?? record.intentAt
            }
        }
        return activeKey.map { nextDueDate(keyCreatedAt: $0.createdAt) }
    }

    func retryDelay(afterAttempts attempts: Int) -> TimeInterval {
        min(maximumRetryDelay, initialRetryDelay * pow(2, Double(max(0, attempts - 1))))
    }

    /// The wait after the `failures`-th failed identity check of a propagation.
    func checkDelay(afterFailures failures: Int) -> TimeInterval {
        min(maximumCheckDelay, initialCheckDelay * pow(2, Double(max(0, failures - 1))))
    }
}
