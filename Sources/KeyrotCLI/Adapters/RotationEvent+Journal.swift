import FoundationEssentials
import KeyrotCore
import Logging
import RotationEngine

// The engine's events in words, at a journal priority: the entry `JournalEventSink` logs for each.
extension RotationEvent {
    var level: Logger.Level {
        switch self {
        case .progress, .keyLastUsed, .resumed, .restartingUnit: .info
        case .rotationStarted, .keyCreated, .filesSwitched, .keyDeactivated, .keyDeleted, .rotationCompleted: .notice
        case .oldKeyStillInUse, .retryScheduled, .warning, .filesOutOfSync: .warning
        case .unitRestartFailed(_, _, let onOldKey): onOldKey ? .warning : .error
        case .rotationFailed, .rolledBack: .error
        }
    }

    var message: String {
        switch self {
        case .resumed(let phase):
            "resuming the rotation recorded in phase \(phase)"
        case .rotationStarted(let old, let age):
            "rotation started: replacing \(old)" + (age.map { " (\(KeyAge.text(days: Int($0 / 86_400))) old)" } ?? "")
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
                "\(id) was last used \(MinuteStamp.text(date)) by \(use.serviceName) in \(use.region)"
            } else {
                "\(id) has no recorded use"
            }
        case .oldKeyStillInUse(let id, let use, let units) where units.isEmpty:
            "\(id) was used after the switch, \(use.date.map(MinuteStamp.text) ?? "recently"), by \(use.serviceName) in \(use.region): something outside the configured files still holds it"
        case .oldKeyStillInUse(let id, let use, let units):
            "\(id) was used after the switch and the restarts of \(units.joined(separator: ", ")), \(use.date.map(MinuteStamp.text) ?? "recently"), by \(use.serviceName) in \(use.region): a program that is neither in the configured files nor in restart_units still holds it"
        case .keyDeactivated(let id):
            "\(id) set Inactive"
        case .keyDeleted(let id, let reason):
            "\(id) deleted (\(reason.rawValue))"
        case .filesOutOfSync(let holdings):
            FileKeyHolding.disagreement(holdings)
        case .rotationCompleted(let old, let new):
            "rotation completed: \(new) replaced \(old), which is deleted"
        case .rotationFailed(let phase, let error):
            "rotation failed in phase \(phase): \(error.message)"
        case .rolledBack(let id, let error):
            "rotation rolled back (\(error.message)): files restored" + (id.map { ", \($0) deleted" } ?? "")
        case .retryScheduled(let phase, let date, let error):
            "\(phase): \(error.message); retrying at \(MinuteStamp.text(date))"
        case .warning(let text):
            text
        }
    }
}
