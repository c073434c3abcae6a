import Foundation
import KeyrotCore

/// One leader run, from taking the lease to the end of one rotation: a function per phase, each
/// reading top to bottom and calling the next (LeaderRun+Rotate, +Retire, +Rollback). A phase is
/// recorded (fenced) before the AWS call it announces, so that a host taking over resumes from it.
final class LeaderRun {
    /// A fenced write or renewal failed: another host holds the lease.
    enum Deposed: Error { case deposed }

    let policy: FleetPolicy
    let ports: FleetPorts
    let request: FleetRotationRequest
    /// The record as this run last wrote (or read) it.
    var record: FleetRotationRecord
    /// The record version this run holds: the fence of its next write.
    var fence: RecordVersion
    var watch = MembershipWatch()
    /// Members whose acknowledgement of the rotation was already announced.
    var announcedAcknowledgements: Set<HostID> = []
    var lastWaitingStatus: FleetEvent?
    /// Why this run rolled back (a run resuming another's rollback does not know).
    var rollbackReason: String?

    init(policy: FleetPolicy, ports: FleetPorts, request: FleetRotationRequest, record: FleetRotationRecord, fence: RecordVersion) {
        self.policy = policy
        self.ports = ports
        self.request = request
        self.record = record
        self.fence = fence
    }

    var host: HostID { policy.host }
    var now: Date { ports.clock.now }

    /// Continues from the recorded phase. A rotation whose new key may exist only in a dead
    /// leader's memory (`creating`, `created`) is rolled back; every later phase is redone, its
    /// action being idempotent.
    func resume() async throws -> FleetLeaderOutcome {
        switch record.phase {
        case .idle: return try await start()
        case .creating: return try await rollBackUnrecordedKey(reason: "the previous leader stopped before recording the new key")
        case .created: return try await rollBack(reason: "the previous leader stopped before publishing the new key")
        case .pending: return try await waitForAcknowledgements()
        case .promoting: return try await promote()
        case .promoted: return try await overlap()
        case .retiring: return try await deactivateOldKey()
        case .grace: return try await deleteOldKey()
        case .rollback: return try await waitForRestores()
        case .rollbackDelete: return try await deleteNewKey()
        }
    }

    // MARK: Helpers shared by the phases

    /// The pair this host's files hold: every call is signed with it.
    func signer() async throws -> Credentials {
        try await ports.files.heldPair()
    }

    func emit(_ event: FleetEvent) {
        ports.events.record(event)
    }

    /// Records `phase`, stamped with this host's clock (overlap and grace count from it).
    func enter(_ phase: FleetPhase) async throws {
        record.phase = phase
        record.phaseEnteredAt = now
        try await save()
    }

    /// Writes the record, fenced by the version this run holds.
    func save() async throws {
        let signer = try await signer()
        fence = try await fenced { try await ports.table.writeRecord(record, holder: host, fence: fence, signedWith: signer) }
    }

    /// Sleeps a leader pause, then renews the lease (fenced).
    func pause() async throws {
        try await ports.clock.sleep(until: now.addingTimeInterval(policy.leaderPause))
        let signer = try await signer()
        fence = try await fenced { try await ports.table.renewLease(holder: host, fence: fence, signedWith: signer) }
    }

    func release() async throws {
        let signer = try await signer()
        try await fenced { try await ports.table.releaseLease(holder: host, fence: fence, signedWith: signer) }
    }

    /// Runs a fenced write; a refused condition means this host was deposed.
    func fenced<T>(_ write: () async throws -> T) async throws -> T {
        do {
            return try await write()
        } catch let error as FleetPortError where error.code == .conditionFailed {
            throw Deposed.deposed
        }
    }

    /// Reads the membership items, drops the members silent past `member_grace` (each drop fenced,
    /// and refused when the member heartbeated meanwhile), and announces new acknowledgements of
    /// the rotation (not during a rollback, where holding it is what the leader waits to end). Returns the members as they are now, dropped ones marked.
    func lookAtMembers() async throws -> [MemberItem] {
        let signer = try await signer()
        var members = try await ports.table.readMembers(signedWith: signer)
        watch.observe(members, at: now)
        for index in members.indices where !members[index].dropped {
            let member = members[index]
            if watch.silence(of: member.host, at: now) > policy.memberGrace {
                members[index].dropped = try await drop(member, signer: signer)
            }
            if let rotation = record.rotation, record.phase != .rollback, member.state.holds == rotation, !members[index].dropped,
               announcedAcknowledgements.insert(member.host).inserted {
                emit(.hostAcknowledged(member.host, rotation))
            }
        }
        return members
    }

    /// Drops a member silent past grace; false when it heartbeated since it was read.
    private func drop(_ member: MemberItem, signer: Credentials) async throws -> Bool {
        do {
            try await ports.table.drop(member.host, ifHeartbeat: member.heartbeat, holder: host, fence: fence, signedWith: signer)
        } catch let error as FleetPortError where error.code == .conditionFailed {
            let lease = try await ports.table.readLease(signedWith: signer)
            guard lease.owner == host, lease.version == fence else { throw Deposed.deposed }
            return false
        }
        emit(.memberDropped(member.host))
        return true
    }

    /// Announces whom the leader waits for (the STATUS line), when that changed.
    func announceWaiting(for waiting: [MemberItem], of counted: [MemberItem]) {
        let status = FleetEvent.waitingForHosts(waiting: waiting.map(\.host).sorted(), total: counted.count)
        guard status != lastWaitingStatus else { return }
        lastWaitingStatus = status
        emit(status)
    }
}
