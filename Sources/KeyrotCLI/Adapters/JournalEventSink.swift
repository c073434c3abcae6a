import FoundationEssentials
import KeyrotCore
import Logging
import RotationEngine
import SystemdIntegration

/// Turns the engine's events into log entries (with a MESSAGE_ID and KEYROTD_* fields in the
/// journal) and one-line status texts (sd_notify STATUS for the daemon, stdout for `rotate`).
struct JournalEventSink: RotationEventSink {
    let user: String
    let logger: Logger
    /// Receives the one-line status each event implies, when it implies one.
    let status: @Sendable (String) -> Void

    func record(_ event: RotationEvent) {
        var metadata: Logger.Metadata = ["user": .string(user)]
        if let id = Self.messageID(for: event) {
            metadata[MessageID.metadataKey] = id.metadataValue
        }
        metadata.merge(Self.fields(of: event)) { _, new in new }
        logger.log(level: event.level, "\(event.message)", metadata: metadata)
        if let text = Self.statusText(for: event) {
            status(text)
        }
    }

    static func messageID(for event: RotationEvent) -> MessageID? {
        switch event {
        case .resumed: .recoveredAfterCrash
        case .rotationStarted: .rotationStarted
        case .keyCreated: .keyCreated
        case .oldKeyStillInUse: .oldKeyStillInUse
        case .keyDeactivated: .keyDeactivated
        case .keyDeleted: .keyDeleted
        case .filesOutOfSync: .filesOutOfSync
        case .rotationCompleted: .rotationCompleted
        case .rotationFailed: .rotationFailed
        case .rolledBack: .rotationRolledBack
        case .unitRestartFailed: .unitRestartFailed
        case .progress, .filesSwitched, .restartingUnit, .keyLastUsed, .retryScheduled, .warning: nil
        }
    }

    /// The structured fields (journal names KEYROTD_<KEY>): the key concerned, the new key, the
    /// phase, the file, the unit restarted, the key's age. Never a secret.
    static func fields(of event: RotationEvent) -> Logger.Metadata {
        switch event {
        case .resumed(let phase):
            return ["phase": .string(phase.rawValue)]
        case .rotationStarted(let old, let age):
            var fields: Logger.Metadata = ["key_id": .string(old.rawValue)]
            if let age { fields["key_age_days"] = .string(String(Int(age / 86_400))) }
            return fields
        case .keyCreated(let id):
            return ["new_key_id": .string(id.rawValue)]
        case .progress(let phase, _):
            return ["phase": .string(phase.rawValue)]
        case .filesSwitched(let id, let files):
            return ["new_key_id": .string(id.rawValue), "file": .array(files.map { .string($0) })]
        case .restartingUnit(let unit, _, _, _), .unitRestartFailed(let unit, _, _):
            return ["unit": .string(unit)]
        case .oldKeyStillInUse(let id, _, let units):
            var fields: Logger.Metadata = ["key_id": .string(id.rawValue)]
            if !units.isEmpty { fields["unit"] = .array(units.map { .string($0) }) }
            return fields
        case .keyLastUsed(let id, _), .keyDeactivated(let id):
            return ["key_id": .string(id.rawValue)]
        case .keyDeleted(let id, let reason):
            return ["key_id": .string(id.rawValue), "reason": .string(reason.rawValue)]
        case .filesOutOfSync(let holdings):
            return ["file": .array(holdings.map { .string($0.path) })]
        case .rotationCompleted(let old, let new):
            return ["key_id": .string(old.rawValue), "new_key_id": .string(new.rawValue)]
        case .rotationFailed(let phase, let error), .retryScheduled(let phase, _, let error):
            return ["phase": .string(phase.rawValue), "error_code": .string(error.code.rawValue)]
        case .rolledBack(let id, let error):
            var fields: Logger.Metadata = ["error_code": .string(error.code.rawValue)]
            if let id { fields["new_key_id"] = .string(id.rawValue) }
            return fields
        case .warning:
            return [:]
        }
    }

    static func statusText(for event: RotationEvent) -> String? {
        switch event {
        case .rotationStarted(let old, _): "rotating: replacing key \(old.abbreviated)"
        case .keyCreated(let id): "rotating: new key \(id.abbreviated) created"
        case .progress(_, let message): message
        case .filesSwitched(let id, _): "rotating: every file holds \(id.abbreviated)"
        case .restartingUnit: event.message
        case .rotationFailed(_, let error), .rolledBack(_, let error): "error: \(error.message)"
        case .retryScheduled(_, let date, let error): "error: \(error.message); retrying at \(MinuteStamp.text(date))"
        case .rotationCompleted(_, let new): "rotation completed: key \(new.abbreviated) in use"
        default: nil
        }
    }
}
