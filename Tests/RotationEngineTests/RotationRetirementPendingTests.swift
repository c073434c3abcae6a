import Foundation
import KeyrotCore
import KeyrotTestSupport
import RotationEngine
import Testing

/// `keyrotd rotate` without `--wait`: a run that switches and returns, and the later runs that
/// retire the old key from the record.
@Suite("A run that does not wait for the old key's retirement")
struct RotationRetirementPendingTests {
    @Test("the run ends after the switch with the overlap's end; later runs deactivate, then delete, each when due")
    func returnsAfterTheSwitchAndRetiresLater() async throws {
        let world = FakeWorld { $0.waitsForRetirement = false }
        let old = world.originalKey.accessKeyID
        let start = world.clock.now

        let first = await world.driver().run(.rotate(force: true))
        guard case .retirementPending(.overlapping, old, let new, let overlapEnd) = first else {
            Issue.record("expected the run to end in the overlap, got \(first)")
            return
        }
        #expect(world.clock.sleeps.allSatisfy { $0 < overlapEnd }, "the run waited into the overlap")
        #expect(abs(overlapEnd.timeIntervalSince(start) - world.policy.overlap) < 60)
        #expect(world.policy.files.allSatisfy { world.files.pairs(in: $0)?.map(\.accessKeyID) == [new] })
        #expect(world.iam.writes == ["create \(new)"])

        // Before the overlap ends, a run changes nothing and says the same.
        let early = await world.driver().run(.rotate(force: false))
        #expect(early == .retirementPending(phase: .overlapping, oldKeyID: old, newKeyID: new, resumesAt: overlapEnd))
        #expect(world.iam.writes == ["create \(new)"])

        world.clock.advance(by: overlapEnd.timeIntervalSince(world.clock.now))
        let second = await world.driver().run(.resume)
        guard case .retirementPending(.deactivated, old, new, let graceEnd) = second else {
            Issue.record("expected the run to end in the grace, got \(second)")
            return
        }
        #expect(abs(graceEnd.timeIntervalSince(world.clock.now) - world.policy.grace) < 60)
        #expect(world.iam.writes == ["create \(new)", "update \(old) Inactive"])

        world.clock.advance(by: graceEnd.timeIntervalSince(world.clock.now))
        let third = await world.driver().run(.resume)
        #expect(third == .completed(oldKeyID: old, newKeyID: new))
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }

    @Test("with overlap and grace of 0 the run completes as a waiting one does")
    func nothingToWaitFor() async throws {
        let world = FakeWorld {
            $0.waitsForRetirement = false
            $0.overlap = 0
            $0.grace = 0
        }
        let outcome = await world.driver().run(.rotate(force: true))
        #expect(outcome.isCompleted)
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }
}
