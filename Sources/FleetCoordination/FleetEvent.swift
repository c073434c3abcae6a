import Foundation
import KeyrotCore

/// Something that happened in the fleet, for the journal (each case its MESSAGE_ID, with a
/// `KEYROTD_HOST` field), metrics and STATUS. Never a secret.
public enum FleetEvent: Sendable, Hashable {
    case leaseTaken(HostID, phase: FleetPhase)
    /// A fenced write failed: another host holds the lease now; this one stopped leading.
    case leaseLost(HostID)
    case rotationStarted(sequence: Int, oldKeyID: AccessKeyID)
    case keyCreated(AccessKeyID)
    case pendingPublished(SecretVersionID)
    /// The leader waits for members (`waiting` of the `total` members it counts).
    case waitingForHosts(waiting: [HostID], total: Int)
    case hostAcknowledged(HostID, SecretVersionID)
    /// A member was down at promotion: the old key stays Active for it until it catches up or is dropped.
    case hostMissing(HostID)
    case promoted(SecretVersionID)
    /// The old key was used after promotion: something outside the fleet's files still holds it.
    case oldKeyUsedAfterPromotion(AccessKeyID, AccessKeyLastUse)
    /// Silent past `member_grace`: out of the fleet until `keyrotd fleet join`.
    case memberDropped(HostID)
    case keyDeactivated(AccessKeyID)
    case keyDeleted(AccessKeyID)
    case rotationCompleted(oldKeyID: AccessKeyID, newKeyID: AccessKeyID)
    case fleetRolledBack(SecretVersionID, reason: String)
    /// This host switched its files to a version: a pending one, or `AWSCURRENT` when catching up.
    case applied(HostID, SecretVersionID, catchingUp: Bool)
    case applyFailed(HostID, SecretVersionID, reason: String)
    /// This host put back the files of the rolled-back rotation's base.
    case restored(HostID, SecretVersionID)
    /// This host does nothing with its key until an operator acts.
    case refused(HostID, reason: String)
    case warning(String)

    /// Plain words for people; for the waits, the STATUS line.
    public var message: String {
        switch self {
        case .leaseTaken(let host, let phase):
            "fleet: \(host) took the lease" + (phase == .idle ? "" : " and resumes the rotation in phase \(phase.rawValue)")
        case .leaseLost(let host):
            "fleet: \(host) lost the lease to another host and stopped leading"
        case .rotationStarted(let sequence, let old):
            "fleet: rotation \(sequence) started, replacing \(old)"
        case .keyCreated(let id):
            "fleet: new access key \(id) created"
        case .pendingPublished(let version):
            "fleet: new key published as AWSPENDING (version \(version))"
        case .waitingForHosts(let waiting, let total):
            "fleet: waiting for \(waiting.count) of \(total) hosts (\(waiting.map(\.rawValue).joined(separator: ", ")))"
        case .hostAcknowledged(let host, let version):
            "fleet: \(host) acknowledged version \(version)"
        case .hostMissing(let host):
            "fleet: \(host) is down; the old key stays active for it until it catches up or is dropped"
        case .promoted(let version):
            "fleet: version \(version) is AWSCURRENT"
        case .oldKeyUsedAfterPromotion(let id, let use):
            "fleet: \(id) was used after promotion by \(use.serviceName) in \(use.region): something outside the fleet's files still holds it, and it is about to be deactivated"
        case .memberDropped(let host):
            "fleet: \(host) was silent past member_grace and is dropped; it must run `keyrotd fleet join` with the current pair"
        case .keyDeactivated(let id):
            "fleet: \(id) set Inactive"
        case .keyDeleted(let id):
            "fleet: \(id) deleted"
        case .rotationCompleted(let old, let new):
            "fleet: rotation completed: \(new) replaced \(old), which is deleted"
        case .fleetRolledBack(let version, let reason):
            "fleet: rotation \(version) rolled back (\(reason)); every host restores the previous key"
        case .applied(let host, let version, let catchingUp):
            "fleet: \(host) switched its files to version \(version)" + (catchingUp ? " (catching up from AWSCURRENT)" : "")
        case .applyFailed(let host, let version, let reason):
            "fleet: \(host) could not apply version \(version): \(reason)"
        case .restored(let host, let version):
            "fleet: \(host) restored its files to version \(version)"
        case .refused(let host, let reason):
            "fleet: \(host) refuses to run: \(reason)"
        case .warning(let text):
            text
        }
    }
}
