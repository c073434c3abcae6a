import Foundation
import KeyrotCore
import KeyrotTestSupport
import RotationEngine
import Testing

/// The rotations the crash campaign replays.
enum CrashScenario: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// Slow propagation, flaky checks, a verify command: ends with the new key.
    case completes
    /// The verify command always fails: ends rolled back, with the old key.
    case verifyFails
    /// The first two deletes of the old key fail: retried.
    case deleteRetried
    /// The new key never works: ends rolled back after propagation_timeout.
    case propagationNeverComes
    /// Writing the second file always fails: ends rolled back, every file restored.
    case writeFails
    /// CreateAccessKey makes the key but its answer is lost: the orphan is found and deleted.
    case createAnswerLost
    /// The first two deactivations of the old key fail: retried from the record.
    case deactivateRetried
    /// Two `restart_units` restarted after the switch: ends with the new key, both units on it.
    case restartsUnits
    /// The second of two units never comes back: ends rolled back, the first unit on the old key.
    case restartFails

    var testDescription: String { rawValue }

    func makeWorld() -> FakeWorld {
        let world = FakeWorld(
            propagationDelay: self == .propagationNeverComes ? .infinity : 3,
            flakyChecksAfterFirstSuccess: self == .completes ? 2 : 0,
            restartUnits: [.restartsUnits, .restartFails].contains(self) ? ["collector.service", "enrich.service"] : []
        )
        switch self {
        case .completes: break
        case .verifyFails: world.verifier.inject(RotationPortError(.failed, "exit status 2"), times: 1_000)
        case .deleteRetried: world.iam.inject(.error(RotationPortError(.unreachable, "ServiceUnavailable")), into: .delete, times: 2)
        case .propagationNeverComes: break
        case .writeFails: world.files.inject(RotationPortError(.failed, "No space left on device"), into: .rewrite, path: world.policy.files[1], times: 1_000)
        case .createAnswerLost: world.iam.inject(.lostAnswer, into: .create)
        case .deactivateRetried: world.iam.inject(.error(RotationPortError(.unreachable, "ServiceUnavailable")), into: .update, times: 2)
        case .restartsUnits: break
        case .restartFails: world.restarter.inject(RotationPortError(.failed, "enrich.service did not become active"), into: "enrich.service", times: 1_000)
        }
        return world
    }
}

@Suite("Killed after every action, restarted once, finished consistently")
struct RotationCrashReplayTests {
    @Test("kill at every action (before it takes effect, and after it took effect but before its result is saved)",
          arguments: CrashScenario.allCases, FakeCrashSwitch.Timing.allCases)
    func killEverywhere(scenario: CrashScenario, timing: FakeCrashSwitch.Timing) async throws {
        let reference = scenario.makeWorld()
        let clean = await reference.driver().run(.rotate(force: true))
        #expect(reference.settledProblems().isEmpty, "clean run: \(reference.settledProblems())")
        let total = reference.crashSwitch.operationCount
        #expect(total >= 10, "a rotation is at least 10 port actions (got \(total), outcome \(clean))")
        print("figure: crash replay \(scenario) \(timing): \(total) kill points")
        if !reference.policy.restartUnits.isEmpty {
            // The kill points below include every restart, forward and on the rollback.
            let restarts = reference.crashSwitch.log.filter { $0.hasPrefix("restarter.restart") }.count
            #expect(restarts == (scenario == .restartFails ? 4 : 2), "\(reference.crashSwitch.log)")
        }

        for index in 0..<total {
            let world = scenario.makeWorld()
            world.crashSwitch.arm(at: index, timing)
            _ = await world.driver().run(.rotate(force: true))
            let killedAt = world.crashSwitch.log.indices.contains(index) ? world.crashSwitch.log[index] : "?"
            #expect(world.crashSwitch.isKilled, "kill point \(index) was never reached")
            world.crashSwitch.revive()

            let outcome = await world.driver().run(.resume)
            let context = "\(scenario) killed \(timing) action \(index) (\(killedAt)), restart ended \(outcome)"
            switch outcome {
            case .interrupted, .deferred: Issue.record("restart did not settle: \(context)")
            default: break
            }
            let problems = world.settledProblems()
            #expect(problems.isEmpty, "\(context): \(problems)")
            if [.verifyFails, .propagationNeverComes, .writeFails, .createAnswerLost, .restartFails].contains(scenario) {
                #expect(world.files.pairs(in: world.policy.files[0]) == [world.originalKey], "\(context)")
            }
        }
    }

    @Test("overlap counts from the recorded switch time, not from the restart")
    func overlapFromRecordedTime() async throws {
        let world = FakeWorld()
        // Kill right after the record of the switch is saved.
        let reference = FakeWorld()
        _ = await reference.driver().run(.rotate(force: true))
        let index = try #require(reference.crashSwitch.log.firstIndex(of: "store.save overlapping"))
        world.crashSwitch.arm(at: index, .afterEffect)
        _ = await world.driver().run(.rotate(force: true))
        let record = try #require(try world.store.record)
        let switchedAt = try #require(record.switchedAt)
        #expect(record.phase == .overlapping)

        world.crashSwitch.revive()
        world.clock.advance(by: 600)
        let sleepsBefore = world.clock.sleeps.count
        let outcome = await world.driver().run(.resume)
        #expect(outcome.isCompleted)
        let restartSleeps = world.clock.sleeps.dropFirst(sleepsBefore)
        #expect(restartSleeps.first == switchedAt.addingTimeInterval(world.policy.overlap))
        #expect(world.events.events.contains(.resumed(phase: .overlapping)))
    }

    @Test("a crash after CreateAccessKey took effect leaves an orphan that the restart deletes, without a second create")
    func orphanAfterCreate() async throws {
        let reference = FakeWorld()
        _ = await reference.driver().run(.rotate(force: true))
        let index = try #require(reference.crashSwitch.log.firstIndex(of: "iam.create"))

        let world = FakeWorld()
        world.crashSwitch.arm(at: index, .afterEffect)
        _ = await world.driver().run(.rotate(force: true))
        #expect(world.iam.keys.count == 2)
        #expect(try world.store.record?.phase == .creating)

        world.crashSwitch.revive()
        _ = await world.driver().run(.resume)
        #expect(world.iam.calls(.create) == 1)
        #expect(world.iam.keys.map(\.id) == [world.originalKey.accessKeyID])
        #expect(world.events.events.contains { if case .keyDeleted(_, .orphan) = $0 { return true } else { return false } })
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }

    @Test("a crash between the first and second file write: the restart finishes writing every file")
    func crashBetweenFiles() async throws {
        let world = try await Self.crashedAfterTheFirstFileWrite()
        let held = world.policy.files.map { world.files.pairs(in: $0)?.first?.accessKeyID }
        #expect(Set(held).count == 2, "one file switched, the others not: \(held)")

        world.crashSwitch.revive()
        let outcome = await world.driver().run(.resume)
        #expect(outcome.isCompleted)
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }

    @Test("a configuration whose files changed during the writing phase is refused, nothing touched")
    func filesChangedMidRotation() async throws {
        let world = try await Self.crashedAfterTheFirstFileWrite()
        world.crashSwitch.revive()
        var shorter = world.policy
        shorter.files.removeLast()
        let writes = world.files.writeCount
        let outcome = await world.driver(policy: shorter).run(.resume)
        #expect(outcome.errorCode == .inconsistent)
        #expect(world.files.writeCount == writes)

        let finished = await world.driver().run(.resume)
        #expect(finished.isCompleted)
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }

    /// A forced rotation killed right after the first of several files was rewritten (the kill
    /// point found by a crash-free reference run); the switch is still dead when this returns.
    static func crashedAfterTheFirstFileWrite() async throws -> FakeWorld {
        let reference = FakeWorld()
        _ = await reference.driver().run(.rotate(force: true))
        let index = try #require(reference.crashSwitch.log.firstIndex { $0.hasPrefix("files.rewrite") })
        let world = FakeWorld()
        world.crashSwitch.arm(at: index, .afterEffect)
        _ = await world.driver().run(.rotate(force: true))
        return world
    }
}
