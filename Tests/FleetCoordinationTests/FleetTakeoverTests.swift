import FleetCoordination
import Foundation
import KeyrotCore
import KeyrotTestSupport
import Testing

@Suite("Fleet leader killed at each step, taken over by another host")
struct FleetTakeoverTests {
    enum KillPoint: String, CaseIterable, Sendable {
        case afterCreate, afterPutPending, whileWaitingForAcknowledgements, afterPromote, duringOverlap, afterDeactivate
        /// A member failed to apply; the leader dies while the others restore.
        case duringRollback

        /// A rotation whose new key never reached the record's `pending` is rolled back; one
        /// later is finished.
        var finishes: Bool { ![.afterCreate, .afterPutPending, .duringRollback].contains(self) }

        /// The phase the new leader finds in the record.
        var recordedPhase: FleetPhase {
            switch self {
            case .afterCreate: .creating
            case .afterPutPending: .created
            case .whileWaitingForAcknowledgements: .pending
            case .afterPromote: .promoting
            case .duringOverlap: .promoted
            case .afterDeactivate: .retiring
            case .duringRollback: .rollback
            }
        }

        func arm(_ fleet: FleetSimulation, leader: SimulatedHost) {
            switch self {
            case .afterCreate: leader.crashSwitch.arm(atNext: "iam.create", .afterEffect)
            case .afterPutPending: leader.crashSwitch.arm(atNext: "secret.putPending", .afterEffect)
            case .whileWaitingForAcknowledgements: fleet.when({ fleet.record.phase == .pending }) { leader.kill() }
            case .afterPromote: leader.crashSwitch.arm(atNext: "secret.promote", .afterEffect)
            case .duringOverlap: fleet.when({ fleet.record.phase == .promoted }) { leader.kill() }
            case .afterDeactivate: leader.crashSwitch.arm(atNext: "iam.deactivate", .afterEffect)
            case .duringRollback:
                fleet["collector-3"].files.failNextApplies()
                fleet.when({ fleet.record.phase == .rollback }) { leader.kill() }
            }
        }
    }

    @Test("the new leader finishes or rolls back; every host ends on one working key", arguments: KillPoint.allCases)
    func takeover(at point: KillPoint) async throws {
        let fleet = FleetSimulation()
        let old = fleet.cloud.initialPair.accessKeyID
        let first = fleet["collector-1"]
        point.arm(fleet, leader: first)
        // The dead leader comes back while the new one waits for it (promotion, overlap).
        fleet.when({ !first.isRunning && [.promoted, .rollback, .idle].contains(fleet.record.phase) && fleet.cloud.lease.owner == "collector-2" }) {
            first.restart()
        }
        let killed = try await first.startLeader()
        await #expect(throws: (any Error).self) { try await killed.value }

        let outcome = try await fleet["collector-2"].startLeader(.resume).value
        first.restart()
        try await fleet.run(for: 300)

        #expect(fleet.violations.isEmpty, "\(fleet.violations)")
        #expect(fleet.cloud.keyIDs.count == 1)
        let survivor = try #require(fleet.cloud.keyIDs.first)
        #expect(fleet.hosts.allSatisfy { $0.files.pair.accessKeyID == survivor })
        #expect(fleet.record.phase == .idle && fleet.cloud.lease.owner == nil)
        #expect(fleet.cloud.stages.pending == nil)
        // Nobody waited out a grace: the dead leader came back and followed.
        #expect(fleet.cloud.members.values.allSatisfy { !$0.dropped })
        #expect(fleet.clock.now.timeIntervalSince(fleet.clock.start) < FleetSimulation.policy.memberGrace)
        #expect(fleet["collector-2"].events.all.contains(.leaseTaken("collector-2", phase: point.recordedPhase)))
        if point.finishes {
            guard case .completed(old, survivor) = outcome else { Issue.record("outcome \(outcome)"); return }
        } else {
            guard case .rolledBack = outcome else { Issue.record("outcome \(outcome)"); return }
            #expect(survivor == old)
            #expect(fleet.cloud.writes.filter { $0.hasPrefix("create") }.count == 1)
            #expect(fleet.cloud.writes.filter { $0.hasPrefix("delete") }.count == 1)
        }
    }

    @Test("a paused leader whose lease was taken stops at its next fenced write, and the new holder finishes its rotation")
    func pausedLeaderIsFenced() async throws {
        let fleet = FleetSimulation()
        let first = fleet["collector-1"]
        fleet.when({ fleet.record.phase == .pending }) { fleet.cloud.takeLeaseOver(for: "collector-2") }
        let outcome = try await first.startLeader().value
        #expect(outcome == .deposed)
        #expect(first.events.all.contains(.leaseLost("collector-1")))

        let resumed = try await fleet["collector-2"].startLeader(.resume).value
        guard case .completed = resumed else { Issue.record("outcome \(resumed)"); return }
        #expect(fleet.violations.isEmpty, "\(fleet.violations)")
        #expect(fleet.cloud.writes.filter { $0.hasPrefix("create") }.count == 1)
        #expect(fleet.record.completedRotations == 1)
    }

    @Test("a leader deposed right after CreateAccessKey deletes the key it made, which nobody else can know")
    func deposedCreatorDeletesItsKey() async throws {
        let fleet = FleetSimulation()
        let first = fleet["collector-1"]
        let old = fleet.cloud.initialPair.accessKeyID
        // The lease changes hands between the create and the fenced write of `created`.
        fleet.cloud.setObserver { [weak fleet] in
            fleet?.checkInvariants()
            guard let fleet, fleet.cloud.keyIDs.count == 2, fleet.record.phase == .creating, fleet.cloud.lease.owner == "collector-1" else { return }
            fleet.cloud.takeLeaseOver(for: "collector-2")
        }
        let outcome = try await first.startLeader().value
        #expect(outcome == .deposed)
        #expect(fleet.cloud.keyIDs == [old])

        let resumed = try await fleet["collector-2"].startLeader(.resume).value
        guard case .rolledBack = resumed else { Issue.record("outcome \(resumed)"); return }
        #expect(fleet.cloud.keyIDs == [old])
        #expect(fleet.hosts.allSatisfy { $0.files.pair.accessKeyID == old })
    }
}
