import FleetCoordination
import Foundation
import KeyrotCore
import Logging
import RotationEngine

/// Fleet mode's run for the daemon (with a `fleet:` block): one member round (heartbeat, apply,
/// restore, catch up), then the leader role when there is work for it: a rotation in flight (a
/// takeover once its leader's lease expires), the key due, or a forced request (SIGUSR1,
/// `keyrotd rotate-now`). While the leader role runs, the member rounds go on every
/// `poll_interval` beside it: this host acknowledges the pending key like every other.
///
/// `.resume` (the daemon's start) does only the member round, after the local switch's own
/// recovery: READY then comes at once, and the next wake takes on any rotation in flight.
final class FleetRotationRunner: RotationRunner {
    let policy: FleetPolicy
    let ports: FleetPorts
    let maxAge: TimeInterval
    let logger: Logger
    private let member: FleetMember
    private let leader: FleetLeader

    init(policy: FleetPolicy, ports: FleetPorts, maxAge: TimeInterval, logger: Logger, metrics: MetricsRecorder? = nil) {
        self.metrics = metrics
        self.policy = policy
        self.ports = ports
        self.maxAge = maxAge
        self.logger = logger
        member = FleetMember(policy: policy, ports: ports)
        leader = FleetLeader(policy: policy, ports: ports)
    }

    /// `metrics_file`: the key's age after each round, and the outcome of each rotation this host
    /// led or followed (a member round that fails is retried at the next poll, not counted).
    let metrics: MetricsRecorder?

    func run(_ request: RotationRequest) async -> RotationOutcome {
        let outcome = await runRound(request)
        if case .failed = outcome {} else if case .refused = outcome {} else { metrics?.finished(outcome) }
        return outcome
    }

    private func runRound(_ request: RotationRequest) async -> RotationOutcome {
        do {
            if case .refused(let reason) = try await member.pollOnce() {
                return .refused(RotationError(.keyNotUsable, reason))
            }
            let lease = try await ports.table.readLease(signedWith: ports.files.heldPair())
            guard case .rotate(let force) = request else { return .idle(nextDue: try await dueDate(of: lease.record.baseKeyID)) }
            if lease.record.phase != .idle {
                return try await lead(.resume, before: lease.record)
            }
            let nextDue = try await dueDate(of: lease.record.baseKeyID)
            guard force || nextDue.map({ ports.clock.now >= $0 }) == true else { return .idle(nextDue: nextDue) }
            return try await lead(.rotate(seenCompleted: lease.record.completedRotations), before: lease.record)
        } catch is CancellationError {
            return .interrupted(phase: .idle, nil)
        } catch let error as FleetPortError {
            return .failed(RotationError(Self.code(of: error), error.message, cause: error))
        } catch {
            return .failed(RotationError(.inconsistent, "fleet: \(error)", cause: error))
        }
    }

    /// Nothing to ask: a stop cancels the run's task, which cancels the leader and the member rounds.
    func requestStop() {}

    /// Runs the leader role on `request`, with this host's member rounds beside it. A rotation
    /// another host completed meanwhile counts as completed here too: a SIGUSR1 that arrived
    /// during it is satisfied by it (the daemon starts no second one).
    private func lead(_ request: FleetRotationRequest, before: FleetRotationRecord) async throws -> RotationOutcome {
        let (leader, member, clock, poll) = (leader, member, ports.clock, policy.pollInterval)
        let leading = Task { try await leader.run(request) }
        let rounds = Task {
            while !Task.isCancelled {
                do {
                    try await clock.sleep(until: clock.now.addingTimeInterval(poll))
                    _ = try await member.pollOnce()
                } catch is CancellationError {
                    return
                } catch {
                    continue  // the round is tried again at the next poll, as the daemon's own rounds are
                }
            }
        }
        defer { rounds.cancel() }
        let outcome = try await withTaskCancellationHandler { try await leading.value } onCancel: { leading.cancel() }
        switch outcome {
        case .completed(let old, let new):
            return .completed(oldKeyID: old, newKeyID: new)
        case .rolledBack(let version, let reason):
            return .rolledBack(RotationError(.verifyFailed, "fleet rotation \(version) rolled back: \(reason)"))
        case .refused(let reason):
            return .refused(RotationError(.unknownActiveKey, reason))
        case .nothingToDo, .deposed:
            let after = try await ports.table.readLease(signedWith: ports.files.heldPair()).record
            if after.completedRotations > before.completedRotations {
                return .completed(oldKeyID: before.baseKeyID, newKeyID: after.baseKeyID)
            }
            return .idle(nextDue: try await dueDate(of: after.baseKeyID))
        }
    }

    /// When the fleet's key (the record's base) reaches `max_age`; nil when IAM does not list it.
    private func dueDate(of keyID: AccessKeyID) async throws -> Date? {
        let keys = try await ports.keys.listKeys(signedWith: ports.files.heldPair())
        return keys.first { $0.keyID == keyID }.map { $0.createdAt.addingTimeInterval(maxAge) }
    }

    static func code(of error: FleetPortError) -> RotationError.Code {
        switch error.code {
        case .unreachable: .unreachable
        case .invalidCredentials, .dropped: .keyNotUsable
        case .noSuchEntity, .conditionFailed, .limitExceeded, .failed: .inconsistent
        }
    }
}
