import FleetAWS
import FleetCoordination
import Foundation
import KeyrotCore

/// How the fleet's rotation record and membership live in the table (docs/fleet/protocol.md,
/// "Roles and shared state"): the record as plain attributes of the lease item (`pk = "lease"`,
/// beside the lease's own `owner`, `rvn`, `lease_ms`), and every member in one map attribute `m`
/// of the item `pk = "members"`, keyed by host id, so that one consistent `GetItem` reads them all
/// and each member's write is one conditional `UpdateItem` on its own entry.
enum FleetTableItems {
    static let leaseKey: DynamoDBItem = ["pk": .string(DynamoDBLeaseStore.defaultKey)]
    static let membersKey: DynamoDBItem = ["pk": .string("members")]
    static let membersAttribute = "m"

    enum RecordAttribute {
        static let phase = "phase", sequence = "sequence", rotation = "rotation", base = "base", baseKey = "base_key"
        static let newKey = "new_key", completed = "completed", phaseAt = "phase_at"
        static let optional: Set<String> = [rotation, newKey, phaseAt]
    }

    enum MemberAttribute {
        static let heartbeat = "hb", heartbeatAt = "hb_at", holds = "holds", applying = "applying", failed = "failed"
        static let dropped = "dropped"
    }

    // MARK: the record

    /// The record's attributes; the optional ones that are nil are in the second set, to remove.
    static func attributes(of record: FleetRotationRecord) -> (set: DynamoDBItem, remove: Set<String>) {
        typealias A = RecordAttribute
        var set: DynamoDBItem = [
            A.phase: .string(record.phase.rawValue), A.sequence: .integer(Int64(record.sequence)),
            A.base: .string(record.base.rawValue), A.baseKey: .string(record.baseKeyID.rawValue),
            A.completed: .integer(Int64(record.completedRotations)),
        ]
        if let rotation = record.rotation { set[A.rotation] = .string(rotation.rawValue) }
        if let newKey = record.newKeyID { set[A.newKey] = .string(newKey.rawValue) }
        if let at = record.phaseEnteredAt { set[A.phaseAt] = .integer(milliseconds(at)) }
        return (set, A.optional.subtracting(set.keys))
    }

    static func record(from attributes: DynamoDBItem) throws -> FleetRotationRecord {
        typealias A = RecordAttribute
        guard let phaseText = attributes[A.phase]?.string, let phase = FleetPhase(rawValue: phaseText),
              let base = attributes[A.base]?.string, let baseKey = attributes[A.baseKey]?.string,
              let baseKeyID = try? AccessKeyID(baseKey) else {
            throw FleetPortError(.failed, "the fleet table's lease item holds no valid rotation record; run `keyrotd fleet join` on a host whose files hold the current pair, or inspect it with `keyrotd fleet status`")
        }
        var record = FleetRotationRecord(base: SecretVersionID(base), baseKeyID: baseKeyID)
        record.phase = phase
        record.sequence = Int(attributes[A.sequence]?.integer ?? 0)
        record.rotation = attributes[A.rotation]?.string.map(SecretVersionID.init)
        record.newKeyID = attributes[A.newKey]?.string.flatMap { try? AccessKeyID($0) }
        record.completedRotations = Int(attributes[A.completed]?.integer ?? 0)
        record.phaseEnteredAt = attributes[A.phaseAt]?.integer.map(date(milliseconds:))
        return record
    }

    static func leaseItem(from item: FleetAWS.LeaseItem) throws -> FleetCoordination.LeaseItem {
        guard let rvn = item.rvn else {
            throw FleetPortError(.failed, "the fleet table's lease item has no record version (rvn); inspect it with `keyrotd fleet status`")
        }
        return FleetCoordination.LeaseItem(owner: item.owner.map { HostID($0) }, version: RecordVersion(rvn), record: try record(from: item.record))
    }

    // MARK: members

    static func members(from item: DynamoDBItem?) -> [MemberItem] {
        guard case .map(let entries)? = item?[membersAttribute] else { return [] }
        return entries.compactMap { host, value in
            guard case .map(let fields) = value else { return nil }
            return member(HostID(host), fields)
        }.sorted { $0.host < $1.host }
    }

    static func member(_ host: HostID, _ fields: [String: AttributeValue]) -> MemberItem? {
        typealias A = MemberAttribute
        guard let holds = fields[A.holds]?.string else { return nil }
        let state = MemberState(holds: SecretVersionID(holds), applying: fields[A.applying]?.string.map(SecretVersionID.init),
                                failed: fields[A.failed]?.string.map(SecretVersionID.init))
        return MemberItem(host: host, heartbeat: Int(fields[A.heartbeat]?.integer ?? 0),
                          lastHeartbeatAt: date(milliseconds: fields[A.heartbeatAt]?.integer ?? 0), state: state,
                          dropped: fields[A.dropped]?.bool ?? false)
    }

    static func entry(_ member: MemberItem) -> AttributeValue {
        typealias A = MemberAttribute
        var fields: [String: AttributeValue] = [
            A.heartbeat: .integer(Int64(member.heartbeat)), A.heartbeatAt: .integer(milliseconds(member.lastHeartbeatAt)),
            A.holds: .string(member.state.holds.rawValue), A.dropped: .bool(member.dropped),
        ]
        if let applying = member.state.applying { fields[A.applying] = .string(applying.rawValue) }
        if let failed = member.state.failed { fields[A.failed] = .string(failed.rawValue) }
        return .map(fields)
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
