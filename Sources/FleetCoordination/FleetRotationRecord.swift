import Foundation
import KeyrotCore

/// Where the fleet's rotation stands (docs/fleet/protocol.md, "Phases of a rotation"). Phases only
/// move forward within a rotation: once `promoting` is recorded there is no rollback, once
/// `rollback` is recorded there is no promotion.
public enum FleetPhase: String, Sendable, Hashable, Codable, CaseIterable {
    /// No rotation in flight.
    case idle
    /// Intent recorded; `CreateAccessKey` next.
    case creating
    /// The new key exists; propagation check, then `PutSecretValue` staged `AWSPENDING`.
    case created
    /// `AWSPENDING` published: members apply and acknowledge.
    case pending
    /// Every live member acknowledged: `AWSCURRENT` moves to the new version.
    case promoting
    /// Overlap: the old key stays Active until every member acknowledged or was dropped.
    case promoted
    /// The old key is deactivated.
    case retiring
    /// The old key is Inactive until the grace ends, then deleted.
    case grace
    /// Members restore the old key; the new one is deleted once nobody may hold it.
    case rollback
    /// Nobody holds the new key: it is deleted.
    case rollbackDelete = "rbdelete"
}

/// The fleet's rotation record. It lives in the lease item of the table, not on a host's disk, so
/// that any host taking the lease resumes from it.
public struct FleetRotationRecord: Sendable, Hashable, Codable {
    public var phase: FleetPhase
    /// The number of the last rotation started (rolled back ones included); never reused.
    public var sequence: Int
    /// The version id (= `ClientRequestToken`) of the rotation in flight, from `creating` on.
    public var rotation: SecretVersionID?
    /// The version the rotation replaces: `AWSCURRENT` when it began.
    public var base: SecretVersionID
    public var baseKeyID: AccessKeyID
    /// The new key's id, once created (or, after a takeover in `creating`, found by listing).
    public var newKeyID: AccessKeyID?
    /// Rotations completed (old key deleted): a request made before one completed is satisfied by it.
    public var completedRotations: Int
    /// When the leader recorded the current phase, by its own clock: overlap and grace count from it.
    public var phaseEnteredAt: Date?

    public init(base: SecretVersionID, baseKeyID: AccessKeyID) {
        phase = .idle
        sequence = 0
        self.base = base
        self.baseKeyID = baseKeyID
        completedRotations = 0
    }

    /// The version whose key `keyID` is, as far as the record knows: the base's or the rotation's.
    public func version(ofKey keyID: AccessKeyID) -> SecretVersionID? {
        if keyID == baseKeyID { return base }
        if keyID == newKeyID, let rotation { return rotation }
        return nil
    }
}

/// The lease item: who holds the lease, the fence, and the rotation record.
public struct LeaseItem: Sendable, Hashable {
    /// The holder; nil when the lease was released.
    public var owner: HostID?
    public var version: RecordVersion
    public var record: FleetRotationRecord

    public init(owner: HostID?, version: RecordVersion, record: FleetRotationRecord) {
        self.owner = owner
        self.version = version
        self.record = record
    }
}

/// A host's membership item.
public struct MemberItem: Sendable, Hashable {
    public var host: HostID
    /// Incremented by every heartbeat: its change is what the leader watches.
    public var heartbeat: Int
    /// When the member last heartbeated, by its own clock: `member_grace` (days) counts from it,
    /// and survives a change of leader.
    public var lastHeartbeatAt: Date
    /// What the member's files hold, verified: the acknowledgement.
    public var state: MemberState
    /// Silent past `member_grace`: out of the fleet until `keyrotd fleet join`.
    public var dropped: Bool

    public init(host: HostID, heartbeat: Int, lastHeartbeatAt: Date, state: MemberState, dropped: Bool = false) {
        self.host = host
        self.heartbeat = heartbeat
        self.lastHeartbeatAt = lastHeartbeatAt
        self.state = state
        self.dropped = dropped
    }
}

/// The part of a membership item its member writes (one conditional `UpdateItem`).
public struct MemberState: Sendable, Hashable {
    /// The version whose key the member's files hold, verified (its acknowledgement).
    public var holds: SecretVersionID
    /// The rotation this member registered to apply; valid only while the record is `pending` for it.
    public var applying: SecretVersionID?
    /// The rotation this member failed to apply: the leader rolls it back.
    public var failed: SecretVersionID?

    public init(holds: SecretVersionID, applying: SecretVersionID? = nil, failed: SecretVersionID? = nil) {
        self.holds = holds
        self.applying = applying
        self.failed = failed
    }
}

/// The secret's version stages, from `DescribeSecret`.
public struct SecretStages: Sendable, Hashable {
    public var current: SecretVersionID
    public var pending: SecretVersionID?
    public var previous: SecretVersionID?

    public init(current: SecretVersionID, pending: SecretVersionID? = nil, previous: SecretVersionID? = nil) {
        self.current = current
        self.pending = pending
        self.previous = previous
    }
}

/// One version of the secret: its id and the pair it holds.
public struct SecretVersion: Sendable, Hashable {
    public let id: SecretVersionID
    public let credentials: Credentials

    public init(id: SecretVersionID, credentials: Credentials) {
        self.id = id
        self.credentials = credentials
    }
}
