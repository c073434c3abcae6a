import Foundation
import KeyrotCore
import Synchronization

/// What one member round did.
public enum FleetMemberRound: Sendable, Hashable {
    /// Nothing to do: the files hold this version, and the table says so.
    case inSync(SecretVersionID)
    /// Switched to the pending version and acknowledged it.
    case applied(SecretVersionID)
    /// Switched to `AWSCURRENT` after being away, and acknowledged it.
    case caughtUp(SecretVersionID)
    /// Put back the base of a rolled-back rotation.
    case restored(SecretVersionID)
    /// The switch to this version failed; the files were put back and the leader told.
    case applyFailed(SecretVersionID)
    /// The host does nothing with its key until an operator acts; the text says what to do.
    case refused(String)
}

/// The member role (docs/fleet/protocol.md, "Members"), one poll round: heartbeat, then apply a
/// published key, restore after a rollback, or catch up, in that order. Members follow the table's
/// record, not the stages: they apply only the rotation the record says is pending, registering
/// in a transaction with it, and fetch its key by version id. Every call is signed with the pair
/// the files hold. A host whose files hold a key the record does not know, or whose key does not
/// authenticate, or that was dropped, refuses loudly.
public struct FleetMember: Sendable {
    public let policy: FleetPolicy
    public let ports: FleetPorts
    /// When this member's heartbeat last reached the table, by its own clock (from its start).
    private let lastHeartbeat: LastHeartbeat

    public init(policy: FleetPolicy, ports: FleetPorts) {
        self.policy = policy
        self.ports = ports
        lastHeartbeat = LastHeartbeat(ports.clock.now)
    }

    var host: HostID { policy.host }

    public func pollOnce() async throws -> FleetMemberRound {
        let pair = try await ports.files.heldPair()
        if let refusal = try await heartbeat(signedWith: pair) { return refuse(refusal) }
        let record = try await ports.table.readLease(signedWith: pair).record
        guard let me = try await ports.table.readMembers(signedWith: pair).first(where: { $0.host == host }) else {
            return refuse("this host is not a member of the fleet; run `keyrotd fleet join`")
        }
        guard let held = record.version(ofKey: pair.accessKeyID) else {
            return refuse("the files hold \(pair.accessKeyID), which is neither the fleet's current key (\(record.baseKeyID)) nor the key of the rotation in flight; put the current pair in the files (`keyrotd fleet join`)")
        }
        var round = Round(member: self, pair: pair, record: record, state: me.state, held: held)
        return try await round.run()
    }

    /// Rule 1: the heartbeat, conditional on being a member that was not dropped. Returns why the
    /// host must refuse, if it must. A host that keeps running but cannot heartbeat (a long
    /// partition, which the model treats as being down) refuses once its last heartbeat is older
    /// than `member_grace − lease_duration`: by then the leader may drop it and retire its key.
    private func heartbeat(signedWith pair: Credentials) async throws -> String? {
        do {
            try await ports.table.heartbeat(host, at: ports.clock.now, signedWith: pair)
            lastHeartbeat.set(ports.clock.now)
            return nil
        } catch let error as FleetPortError {
            switch error.code {
            case .dropped:
                return "this host was silent past member_grace and was dropped from the fleet; run `keyrotd fleet join` with the current pair"
            case .noSuchEntity:
                return "this host is not a member of the fleet; run `keyrotd fleet join`"
            case .invalidCredentials:
                return "the key in this host's files (\(pair.accessKeyID)) does not authenticate: it was deactivated or deleted; run `keyrotd fleet join` with the current pair"
            default:
                let since = lastHeartbeat.get()
                guard ports.clock.now.timeIntervalSince(since) > policy.memberGrace - policy.leaseDuration else { throw error }
                return "the heartbeat has not reached the fleet table since \(since) (\(error.message)); the leader may drop this host and retire the key its files hold: restore the connection, then run `keyrotd fleet join` if it was dropped"
            }
        }
    }

    func refuse(_ reason: String) -> FleetMemberRound {
        ports.events.record(.refused(host, reason: reason))
        return .refused(reason)
    }
}

/// A member's memory between rounds: when its last heartbeat succeeded.
final class LastHeartbeat: Sendable {
    private let date: Mutex<Date>

    init(_ date: Date) {
        self.date = Mutex(date)
    }

    func get() -> Date { date.withLock { $0 } }
    func set(_ new: Date) { date.withLock { $0 = new } }
}
