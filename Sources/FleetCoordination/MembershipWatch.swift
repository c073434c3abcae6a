import Foundation

/// What the leader knows of each member's heartbeat: when, by the leader's own clock, it last saw
/// the counter change (the DynamoDB Lock Client's way: no synchronized clocks). A member seen for
/// the first time is taken at its own stamp, never later than now, so that a new leader neither
/// waits a `member_timeout` for a host long down nor restarts its `member_grace`.
struct MembershipWatch {
    private var lastChange: [HostID: (heartbeat: Int, at: Date)] = [:]

    mutating func observe(_ members: [MemberItem], at now: Date) {
        for member in members {
            if let seen = lastChange[member.host] {
                if seen.heartbeat != member.heartbeat { lastChange[member.host] = (member.heartbeat, now) }
            } else {
                lastChange[member.host] = (member.heartbeat, min(now, member.lastHeartbeatAt))
            }
        }
    }

    /// How long the member's heartbeat has not changed (zero for a member never observed).
    func silence(of host: HostID, at now: Date) -> TimeInterval {
        guard let seen = lastChange[host] else { return 0 }
        return now.timeIntervalSince(seen.at)
    }
}
