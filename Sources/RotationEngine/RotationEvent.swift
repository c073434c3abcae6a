import Foundation
import KeyrotCore

/// Which key id a file holds (for "files out of sync").
public struct FileKeyHolding: Sendable, Hashable {
    public let path: String
    /// Empty when the file holds no pair.
    public let keyIDs: [AccessKeyID]

    public init(path: String, keyIDs: [AccessKeyID]) {
        self.path = path
        self.keyIDs = keyIDs
    }

    /// "the files do not hold the same key: a.yml holds AKIA…; b.json holds no key".
    public static func disagreement(_ holdings: [FileKeyHolding]) -> String {
        "the files do not hold the same key: " + holdings.map {
            "\($0.path) holds \($0.keyIDs.isEmpty ? "no key" : $0.keyIDs.map(\.rawValue).joined(separator: " and "))"
        }.joined(separator: "; ")
    }
}

/// Why the engine deleted a key.
public enum KeyDeletionReason: String, Sendable, Hashable {
    /// The rotated-out key, after grace.
    case retired
    /// An Inactive second key found in preflight.
    case inactiveSecondKey
    /// An Active second key no file uses, with `delete_unknown_active_keys`.
    case unknownActiveKey
    /// A key created for a recorded intent whose secret was never saved.
    case orphan
    /// The new key, during a rollback.
    case rolledBack
}

/// Something that happened during a run, for the journal and sd_notify STATUS (whose words and
/// priorities are KeyrotCLI's `JournalEventSink`'s). Never a secret.
public enum RotationEvent: Sendable, Hashable {
    case resumed(phase: RotationPhase)
    case rotationStarted(oldKeyID: AccessKeyID, keyAge: TimeInterval?)
    case keyCreated(AccessKeyID)
    /// A one-line status ("rotating: waiting for the new key to work (check 2 of 3)").
    case progress(phase: RotationPhase, message: String)
    case filesSwitched(newKeyID: AccessKeyID, files: [String])
    /// A unit of `restart_units` is being restarted (`position` of `count`): on the new key, or
    /// by a rollback on the old key.
    case restartingUnit(String, position: Int, count: Int, onOldKey: Bool)
    /// That restart failed (the reason names the unit and the cause).
    case unitRestartFailed(String, String, onOldKey: Bool)
    case keyLastUsed(AccessKeyID, AccessKeyLastUse)
    /// The old key was used after the switch (and after the restarts of `restartedUnits`, when
    /// `restart_units` is configured): some consumer still holds it.
    case oldKeyStillInUse(AccessKeyID, AccessKeyLastUse, restartedUnits: [String])
    case keyDeactivated(AccessKeyID)
    case keyDeleted(AccessKeyID, reason: KeyDeletionReason)
    case filesOutOfSync([FileKeyHolding])
    case rotationCompleted(oldKeyID: AccessKeyID, newKeyID: AccessKeyID)
    case rotationFailed(phase: RotationPhase, RotationError)
    case rolledBack(newKeyID: AccessKeyID?, RotationError)
    case retryScheduled(phase: RotationPhase, at: Date, RotationError)
    case warning(String)
}
