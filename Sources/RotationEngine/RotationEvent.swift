import Foundation
import KeyrotCore
import Logging

/// Which key id a file holds (for "files out of sync").
public struct FileKeyHolding: Sendable, Hashable {
    public let path: String
    /// Empty when the file holds no pair.
    public let keyIDs: [AccessKeyID]

    public init(path: String, keyIDs: [AccessKeyID]) {
        self.path = path
        self.keyIDs = keyIDs
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

/// Something that happened during a run, for the journal and sd_notify STATUS. Never a secret.
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

    /// The journal priority.
    public var level: Logger.Level {
        switch self {
        case .progress, .keyLastUsed, .resumed, .restartingUnit: .info
        case .rotationStarted, .keyCreated, .filesSwitched, .keyDeactivated, .keyDeleted, .rotationCompleted: .notice
        case .oldKeyStillInUse, .retryScheduled, .warning, .filesOutOfSync: .warning
        case .unitRestartFailed(_, _, let onOldKey): onOldKey ? .warning : .error
        case .rotationFailed, .rolledBack: .error
        }
    }

    /// Plain words for people.
    public var message: String {
        switch self {
        case .resumed(let phase):
            "resuming the rotation recorded in phase \(phase)"
        case .rotationStarted(let old, let age):
            "rotation started: replacing \(old)" + (age.map { " (\(Self.days($0)) old)" } ?? "")
        case .keyCreated(let id):
            "new access key \(id) created and saved"
        case .progress(_, let message):
            message
        case .filesSwitched(let id, let files):
            "every file now holds \(id): \(files.joined(separator: ", "))"
        case .restartingUnit(let unit, let position, let count, let onOldKey):
            onOldKey ? "rolling back: restarting \(unit) on the old key (\(position) of \(count))"
                : "restarting \(unit) (\(position) of \(count))"
        case .unitRestartFailed(let unit, let reason, let onOldKey):
            onOldKey ? "rolling back: \(unit) did not come back on the old key: \(reason); it runs no process holding the new key"
                : "\(unit) did not come back on the new key: \(reason); rolling back"
        case .keyLastUsed(let id, let use):
            if let date = use.date {
                "\(id) was last used \(Self.stamp(date)) by \(use.serviceName) in \(use.region)"
            } else {
                "\(id) has no recorded use"
            }
        case .oldKeyStillInUse(let id, let use, let units) where units.isEmpty:
            "\(id) was used after the switch, \(use.date.map(Self.stamp) ?? "recently"), by \(use.serviceName) in \(use.region): something outside the configured files still holds it"
        case .oldKeyStillInUse(let id, let use, let units):
            "\(id) was used after the switch and the restarts of \(units.joined(separator: ", ")), \(use.date.map(Self.stamp) ?? "recently"), by \(use.serviceName) in \(use.region): a program that is neither in the configured files nor in restart_units still holds it"
        case .keyDeactivated(let id):
            "\(id) set Inactive"
        case .keyDeleted(let id, let reason):
            "\(id) deleted (\(reason.rawValue))"
        case .filesOutOfSync(let holdings):
            "the files do not hold the same key: " + holdings.map {
                "\($0.path) holds \($0.keyIDs.isEmpty ? "no key" : $0.keyIDs.map(\.rawValue).joined(separator: " and "))"
            }.joined(separator: "; ")
        case .rotationCompleted(let old, let new):
            "rotation completed: \(new) replaced \(old), which is deleted"
        case .rotationFailed(let phase, let error):
            "rotation failed in phase \(phase): \(error.message)"
        case .rolledBack(let id, let error):
            "rotation rolled back (\(error.message)): files restored" + (id.map { ", \($0) deleted" } ?? "")
        case .retryScheduled(let phase, let date, let error):
            "\(phase): \(error.message); retrying at \(Self.stamp(date))"
        case .warning(let text):
            text
        }
    }

    /// "2026-11-29 14:05 UTC".
    public static func stamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ n: Int?) -> String { n.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "??" }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)) UTC"
    }

    static func days(_ interval: TimeInterval) -> String {
        let days = Int(interval / 86_400)
        return days == 1 ? "1 day" : "\(days) days"
    }
}
