import FleetCoordination
import Foundation
import KeyrotCore
import Logging
import SystemdIntegration

/// Turns the fleet's events into log entries (MESSAGE_ID and KEYROTD_* fields in the journal, the
/// host concerned in KEYROTD_HOST) and the STATUS line, e.g.
/// `fleet: waiting for 2 of 3 hosts (collector-2, collector-3)`, and a dropped member into
/// `metrics_file`. Events never carry a secret.
struct FleetJournalEvents: FleetEventSink {
    let user: String
    let logger: Logger
    let status: @Sendable (String) -> Void
    var metrics: MetricsRecorder? = nil

    func record(_ event: FleetEvent) {
        var metadata: Logger.Metadata = ["user": .string(user)]
        if let id = Self.messageID(for: event) { metadata[MessageID.metadataKey] = id.metadataValue }
        metadata.merge(Self.fields(of: event)) { _, new in new }
        logger.log(level: Self.level(of: event), "\(event.message)", metadata: metadata)
        if let text = Self.statusText(for: event) { status(text) }
        if case .memberDropped = event { metrics?.memberDropped() }
    }

    static func messageID(for event: FleetEvent) -> MessageID? {
        switch event {
        case .leaseTaken: .fleetLeaseTaken
        case .leaseLost: .fleetLeaseLost
        case .hostAcknowledged: .fleetHostAcknowledged
        case .hostMissing: .fleetHostMissing
        case .fleetRolledBack: .fleetRolledBack
        case .memberDropped: .fleetMemberDropped
        case .refused: .fleetHostRefused
        case .rotationStarted: .rotationStarted
        case .keyCreated: .keyCreated
        case .keyDeactivated: .keyDeactivated
        case .keyDeleted: .keyDeleted
        case .rotationCompleted: .rotationCompleted
        case .oldKeyUsedAfterPromotion: .oldKeyStillInUse
        case .pendingPublished, .waitingForHosts, .promoted, .applied, .applyFailed, .restored, .warning: nil
        }
    }

    static func fields(of event: FleetEvent) -> Logger.Metadata {
        switch event {
        case .leaseTaken(let host, let phase): ["host": .string(host.rawValue), "phase": .string(phase.rawValue)]
        case .leaseLost(let host), .hostMissing(let host), .memberDropped(let host), .refused(let host, _): ["host": .string(host.rawValue)]
        case .hostAcknowledged(let host, let version), .applied(let host, let version, _), .applyFailed(let host, let version, _),
             .restored(let host, let version):
            ["host": .string(host.rawValue), "version": .string(version.rawValue)]
        case .waitingForHosts(let waiting, _): ["host": .array(waiting.map { .string($0.rawValue) })]
        case .rotationStarted(_, let old): ["key_id": .string(old.rawValue)]
        case .keyCreated(let id): ["new_key_id": .string(id.rawValue)]
        case .keyDeactivated(let id), .keyDeleted(let id), .oldKeyUsedAfterPromotion(let id, _): ["key_id": .string(id.rawValue)]
        case .rotationCompleted(let old, let new): ["key_id": .string(old.rawValue), "new_key_id": .string(new.rawValue)]
        case .pendingPublished(let version), .promoted(let version), .fleetRolledBack(let version, _): ["version": .string(version.rawValue)]
        case .warning: [:]
        }
    }

    static func level(of event: FleetEvent) -> Logger.Level {
        switch event {
        case .refused, .applyFailed, .memberDropped: .error
        case .leaseLost, .hostMissing, .fleetRolledBack, .oldKeyUsedAfterPromotion, .warning: .warning
        default: .notice
        }
    }

    static func statusText(for event: FleetEvent) -> String? {
        switch event {
        case .rotationStarted, .keyCreated, .pendingPublished, .waitingForHosts, .promoted, .fleetRolledBack, .rotationCompleted,
             .applied, .restored, .refused, .applyFailed:
            event.message
        default: nil
        }
    }
}
