import FleetAWS
import FleetCoordination
import Foundation
import KeyrotCore

/// The coordination's `FleetTable` over the DynamoDB client (items as in ``FleetTableItems``). The
/// lease's own writes go through FleetAWS's `DynamoDBLeaseStore`, so that a record write never
/// replaces the lease attributes and every holder's write is fenced by owner and rvn.
struct FleetTableAdapter: FleetTable {
    let client: DynamoDBClient
    let table: String
    let leaseDuration: Duration
    /// A new random record version per write of the lease item.
    var makeRVN: @Sendable () -> String = { UUID().uuidString.lowercased() }

    private typealias M = FleetTableItems.MemberAttribute

    func readLease(signedWith signer: Credentials) async throws -> FleetCoordination.LeaseItem {
        guard let item = try await leaseStore(signer).read().map({ item in item }), item.rvn != nil else {
            throw FleetPortError(.noSuchEntity, "the fleet table \(table) has no lease item yet; run `keyrotd fleet join` on each host (after `keyrotd fleet init`)")
        }
        return try FleetTableItems.leaseItem(from: item)
    }

    func takeLease(for host: HostID, ifVersion seen: RecordVersion, signedWith signer: Credentials) async throws -> RecordVersion {
        try await writeLease(owner: host, expecting: .unchanged(rvn: seen.rawValue), signer)
    }

    func writeRecord(_ record: FleetRotationRecord, holder: HostID, fence: RecordVersion, signedWith signer: Credentials) async throws -> RecordVersion {
        let (set, remove) = FleetTableItems.attributes(of: record)
        return try await writeLease(owner: holder, set: set, remove: remove, expecting: .heldBy(owner: holder.rawValue, rvn: fence.rawValue), signer)
    }

    func renewLease(holder: HostID, fence: RecordVersion, signedWith signer: Credentials) async throws -> RecordVersion {
        try await writeLease(owner: holder, expecting: .heldBy(owner: holder.rawValue, rvn: fence.rawValue), signer)
    }

    func releaseLease(holder: HostID, fence: RecordVersion, signedWith signer: Credentials) async throws {
        _ = try await writeLease(owner: nil, expecting: .heldBy(owner: holder.rawValue, rvn: fence.rawValue), signer)
    }

    func readMembers(signedWith signer: Credentials) async throws -> [MemberItem] {
        FleetTableItems.members(from: try await readMembersItem(signer))
    }

    func heartbeat(_ host: HostID, at date: Date, signedWith signer: Credentials) async throws {
        try await updateMember(host, "SET #m.#h.#hb = #m.#h.#hb + :one, #m.#h.#at = :at",
                               names: ["#hb": M.heartbeat, "#at": M.heartbeatAt],
                               values: [":one": .integer(1), ":at": .integer(FleetTableItems.milliseconds(date))], signer)
    }

    func register(_ host: HostID, toApply rotation: SecretVersionID, signedWith signer: Credentials) async throws {
        typealias R = FleetTableItems.RecordAttribute
        try await FleetPortErrorMapping.classified {
            try await client.transactWriteItems([
                .conditionCheck(table: table, key: FleetTableItems.leaseKey,
                                condition: DynamoDBExpression("#phase = :pending AND #rotation = :r", names: ["#phase": R.phase, "#rotation": R.rotation],
                                                              values: [":pending": .string(FleetPhase.pending.rawValue), ":r": .string(rotation.rawValue)])),
                .update(table: table, key: FleetTableItems.membersKey,
                        update: DynamoDBExpression("SET #m.#h.#ap = :r", names: memberNames(host, ["#ap": M.applying]), values: [":r": .string(rotation.rawValue)]),
                        condition: notDropped(host)),
            ], credentials: signer)
        }
    }

    func report(_ state: MemberState, for host: HostID, signedWith signer: Credentials) async throws {
        var sets = ["#m.#h.#holds = :holds"], removes: [String] = []
        var values: DynamoDBItem = [":holds": .string(state.holds.rawValue)]
        for (placeholder, value) in [("ap", state.applying), ("fl", state.failed)] {
            if let value {
                sets.append("#m.#h.#\(placeholder) = :\(placeholder)")
                values[":\(placeholder)"] = .string(value.rawValue)
            } else {
                removes.append("#m.#h.#\(placeholder)")
            }
        }
        let text = "SET " + sets.joined(separator: ", ") + (removes.isEmpty ? "" : " REMOVE " + removes.joined(separator: ", "))
        try await updateMember(host, text, names: ["#holds": M.holds, "#ap": M.applying, "#fl": M.failed], values: values, signer)
    }

    func drop(_ host: HostID, ifHeartbeat heartbeat: Int, holder: HostID, fence: RecordVersion, signedWith signer: Credentials) async throws {
        try await FleetPortErrorMapping.classified {
            try await client.transactWriteItems([
                .conditionCheck(table: table, key: FleetTableItems.leaseKey,
                                condition: DynamoDBExpression("#owner = :me AND #rvn = :mine",
                                                              names: ["#owner": FleetAWS.LeaseItem.ownerAttribute, "#rvn": FleetAWS.LeaseItem.rvnAttribute],
                                                              values: [":me": .string(holder.rawValue), ":mine": .string(fence.rawValue)])),
                .update(table: table, key: FleetTableItems.membersKey,
                        update: DynamoDBExpression("SET #m.#h.#d = :t", names: memberNames(host, ["#d": M.dropped]), values: [":t": .bool(true)]),
                        condition: DynamoDBExpression("#m.#h.#hb = :hb", names: memberNames(host, ["#hb": M.heartbeat]),
                                                      values: [":hb": .integer(Int64(heartbeat))])),
            ], credentials: signer)
        }
    }

    // MARK: joining (keyrotd fleet join)

    /// Creates the lease item with an idle record based on `base`, and the members item, where they
    /// do not exist yet; an existing one is left as it is.
    func createItems(base: SecretVersionID, baseKeyID: AccessKeyID, signedWith signer: Credentials) async throws {
        var record = FleetRotationRecord(base: base, baseKeyID: baseKeyID)
        record.phase = .idle
        var lease = FleetTableItems.attributes(of: record).set
        lease.merge(FleetTableItems.leaseKey) { _, key in key }
        lease[FleetAWS.LeaseItem.rvnAttribute] = .string(makeRVN())
        let members = FleetTableItems.membersKey.merging([FleetTableItems.membersAttribute: .map([:])]) { _, new in new }
        for item in [lease, members] {
            do {
                try await FleetPortErrorMapping.classified {
                    try await client.putItem(table, item: item, condition: DynamoDBExpression("attribute_not_exists(pk)"), credentials: signer)
                }
            } catch let error as FleetPortError where error.code == .conditionFailed {
                continue  // another host created it first
            }
        }
    }

    /// Writes `member` whole (a join clears `dropped`).
    func putMember(_ member: MemberItem, signedWith signer: Credentials) async throws {
        try await FleetPortErrorMapping.classified {
            try await client.updateItem(table, key: FleetTableItems.membersKey,
                                        update: DynamoDBExpression("SET #m.#h = :entry", names: memberNames(member.host, [:]),
                                                                   values: [":entry": FleetTableItems.entry(member)]),
                                        credentials: signer)
        }
    }

    // MARK: helpers

    private func leaseStore(_ signer: Credentials) -> DynamoDBLeaseStore {
        DynamoDBLeaseStore(client: client, table: table, credentials: { signer })
    }

    private func writeLease(owner: HostID?, set: DynamoDBItem = [:], remove: Set<String> = [], expecting: LeaseExpectation,
                            _ signer: Credentials) async throws -> RecordVersion {
        let rvn = makeRVN()
        let write = LeaseWrite(owner: owner?.rawValue, rvn: rvn, leaseDuration: leaseDuration, set: set, remove: remove)
        let result = try await FleetPortErrorMapping.classified { try await leaseStore(signer).write(write, expecting: expecting) }
        guard case .written = result else {
            throw FleetPortError(.conditionFailed, "the fleet lease changed: another host holds it or took it first")
        }
        return RecordVersion(rvn)
    }

    private func readMembersItem(_ signer: Credentials) async throws -> DynamoDBItem? {
        try await FleetPortErrorMapping.classified { try await client.getItem(table, key: FleetTableItems.membersKey, credentials: signer) }
    }

    private func memberNames(_ host: HostID, _ more: [String: String]) -> [String: String] {
        more.merging(["#m": FleetTableItems.membersAttribute, "#h": host.rawValue]) { _, new in new }
    }

    private func notDropped(_ host: HostID) -> DynamoDBExpression {
        DynamoDBExpression("#m.#h.#d = :f", names: memberNames(host, ["#d": M.dropped]), values: [":f": .bool(false)])
    }

    /// A member's own conditional write; a refused condition is `.noSuchEntity` when the host has
    /// no entry, `.dropped` when it was dropped.
    private func updateMember(_ host: HostID, _ update: String, names: [String: String], values: DynamoDBItem, _ signer: Credentials) async throws {
        let condition = notDropped(host)
        let expression = DynamoDBExpression(update, names: memberNames(host, names).merging(condition.names) { first, _ in first },
                                            values: values.merging(condition.values) { first, _ in first })
        do {
            try await FleetPortErrorMapping.classified {
                try await client.updateItem(table, key: FleetTableItems.membersKey, update: expression,
                                            condition: DynamoDBExpression(condition.text), credentials: signer)
            }
        } catch let error as FleetPortError where error.code == .conditionFailed {
            let member = FleetTableItems.members(from: try await readMembersItem(signer)).first { $0.host == host }
            guard member != nil else {
                throw FleetPortError(.noSuchEntity, "\(host) is not a member of the fleet (table \(table)); run `keyrotd fleet join`")
            }
            throw FleetPortError(.dropped, "\(host) was dropped from the fleet (silent past member_grace); run `keyrotd fleet join` with the current pair")
        }
    }
}
