import Foundation
import KeyrotCore

/// What a host asks the leader role for.
public enum FleetRotationRequest: Sendable, Hashable {
    /// Rotate (key due, SIGUSR1, `rotate --force`), unless a rotation completes after the
    /// `seenCompleted` rotations the record counted when it was asked: two hosts asking at once
    /// get one rotation.
    case rotate(seenCompleted: Int)
    /// Only finish or roll back a rotation in flight (a takeover after the leader died).
    case resume
}

/// How a leader run ended.
public enum FleetLeaderOutcome: Sendable, Hashable {
    case completed(oldKeyID: AccessKeyID, newKeyID: AccessKeyID)
    case rolledBack(SecretVersionID, reason: String)
    /// No rotation in flight, and none wanted (or another host's rotation satisfied the request).
    case nothingToDo
    /// The rotation was not started; the reason says what the operator must do.
    case refused(String)
    /// A fenced write failed: another host took the lease. This one stopped.
    case deposed
}

/// The leader role (docs/fleet/protocol.md, "Phases of a rotation"): takes the lease when there is
/// work, resumes the recorded rotation or starts one, and runs it to its end, completed or rolled
/// back. Every write to the table is fenced by the record version the lease gave it; every AWS
/// call is preceded by the fenced write of its intent, so that it is harmless when it lands late.
/// Any port failure other than a lost fence ends the run with that error: the record keeps the
/// phase, and the next run (this host's or, after the lease expires, another's) resumes it.
public struct FleetLeader: Sendable {
    public let policy: FleetPolicy
    public let ports: FleetPorts

    public init(policy: FleetPolicy, ports: FleetPorts) {
        self.policy = policy
        self.ports = ports
    }

    /// The request this host makes now: a rotation that completes from here on satisfies it.
    public func rotationRequest() async throws -> FleetRotationRequest {
        let lease = try await ports.table.readLease(signedWith: ports.files.heldPair())
        return .rotate(seenCompleted: lease.record.completedRotations)
    }

    public func run(_ request: FleetRotationRequest) async throws -> FleetLeaderOutcome {
        guard let (item, fence) = try await acquireLease(for: request) else { return .nothingToDo }
        let run = LeaderRun(policy: policy, ports: ports, request: request, record: item.record, fence: fence)
        do {
            let outcome = try await run.resume()
            try await run.release()
            return outcome
        } catch LeaderRun.Deposed.deposed {
            ports.events.record(.leaseLost(policy.host))
            return .deposed
        }
    }

    /// Waits until this host holds the lease, or until there is no work for it. The lease is taken
    /// when free, when this host held it before a restart, or when its record version has not
    /// changed for a whole lease duration measured by this host's clock (its holder stopped renewing).
    func acquireLease(for request: FleetRotationRequest) async throws -> (LeaseItem, RecordVersion)? {
        var watched: (version: RecordVersion, since: Date)?
        while true {
            let signer = try await ports.files.heldPair()
            let item = try await ports.table.readLease(signedWith: signer)
            guard Self.wants(request, item.record) else { return nil }
            if let owner = item.owner, owner != policy.host {
                if watched?.version != item.version { watched = (item.version, ports.clock.now) }
                if let since = watched?.since, ports.clock.now.timeIntervalSince(since) < policy.leaseDuration {
                    try await ports.clock.sleep(until: ports.clock.now.addingTimeInterval(policy.leaderPause))
                    continue
                }
            }
            do {
                let fence = try await ports.table.takeLease(for: policy.host, ifVersion: item.version, signedWith: signer)
                ports.events.record(.leaseTaken(policy.host, phase: item.record.phase))
                return (item, fence)
            } catch let error as FleetPortError where error.code == .conditionFailed {
                watched = nil  // another host was faster: look again
            }
        }
    }

    /// Whether the record leaves work for this request: a rotation in flight always does.
    static func wants(_ request: FleetRotationRequest, _ record: FleetRotationRecord) -> Bool {
        if record.phase != .idle { return true }
        guard case .rotate(let seenCompleted) = request else { return false }
        return record.completedRotations <= seenCompleted
    }
}
