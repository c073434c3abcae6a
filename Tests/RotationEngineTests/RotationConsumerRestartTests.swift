import Foundation
import KeyrotCore
import KeyrotTestSupport
import RotationEngine
import Testing

/// `restart_units`: the services that read the key at start are restarted after the switch,
/// before the verify command, and restarted again on the old key by a rollback.
@Suite("Restarting the consumers")
struct RotationConsumerRestartTests {
    static let units = ["snowplow-collector.service", "snowplow-enrich.service"]

    @Test("after every file is written and before the verify command, each unit in order, recorded before its restart")
    func order() async throws {
        let world = FakeWorld(restartUnits: Self.units)
        let outcome = await world.driver().run(.rotate(force: true))
        #expect(outcome.isCompleted)
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
        let new = try #require(world.iam.keys.first?.id)
        #expect(world.restarter.restarts.map(\.unit) == Self.units)
        #expect(world.restarter.restarts.allSatisfy { $0.key == new })

        let log = world.crashSwitch.log
        let lastRewrite = try #require(log.lastIndex { $0.hasPrefix("files.rewrite") })
        let restarts = log.indices.filter { log[$0].hasPrefix("restarter.restart") }
        let verify = try #require(log.firstIndex(of: "verify"))
        #expect(restarts.count == 2)
        #expect(restarts.allSatisfy { $0 > lastRewrite && $0 < verify })
        // Each restart follows a save of the record naming it.
        for index in restarts { #expect(log[index - 1] == "store.save verifying", "\(log[index - 1])") }

        let restartEvents = world.events.events.filter { if case .restartingUnit = $0 { true } else { false } }
        #expect(restartEvents == [RotationEvent.restartingUnit("snowplow-collector.service", position: 1, count: 2, onOldKey: false),
                             .restartingUnit("snowplow-enrich.service", position: 2, count: 2, onOldKey: false)])
    }

    @Test("a unit that does not come back rolls back: files restored, the same units restarted on the old key, new key deleted")
    func failedRestartRollsBack() async throws {
        let world = FakeWorld(restartUnits: Self.units)
        world.restarter.inject(RotationPortError(.failed, "snowplow-enrich.service: restart job failed (result: failed)"), into: Self.units[1])
        let outcome = await world.driver().run(.rotate(force: true))

        #expect(outcome.isRolledBack)
        #expect(outcome.errorCode == .restartFailed)
        #expect(outcome.error?.message.contains("snowplow-enrich.service") == true)
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
        let old = world.originalKey.accessKeyID
        #expect(world.iam.keys.map(\.id) == [old])
        for path in world.policy.files { #expect(world.files.pairs(in: path) == [world.originalKey]) }
        let new = try #require(world.iam.issued.last?.accessKeyID)
        #expect(world.restarter.restarts.map(\.unit) == Self.units + Self.units)
        #expect(world.restarter.restarts.map(\.key) == [new, nil, old, old])
        #expect(world.verifier.runs == 0)
        #expect(world.events.events.contains(.unitRestartFailed(Self.units[1], "snowplow-enrich.service: restart job failed (result: failed)", onOldKey: false)))
        // The restarts on the old key come after the files are restored and before the new key is deleted.
        let log = world.crashSwitch.log
        let restore = try #require(log.lastIndex { $0.hasPrefix("files.restore") })
        let oldKeyRestarts = log.indices.filter { log[$0].hasPrefix("restarter.restart") }.suffix(2)
        let delete = try #require(log.lastIndex(of: "iam.delete"))
        #expect(oldKeyRestarts.allSatisfy { $0 > restore && $0 < delete })
    }

    @Test("a restart refused before anything happened is not repeated on the old key")
    func refusedRestart() async throws {
        let world = FakeWorld(restartUnits: Self.units)
        world.restarter.inject(RotationPortError(.accessDenied, "restarting snowplow-collector.service was refused"), into: Self.units[0])
        let outcome = await world.driver().run(.rotate(force: true))
        #expect(outcome.errorCode == .restartFailed)
        #expect(world.restarter.restarts.isEmpty)
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }

    @Test("a verify command that fails after the restarts restarts them on the old key")
    func verifyFailureRestartsOnOldKey() async throws {
        let world = FakeWorld(restartUnits: Self.units)
        world.verifier.inject(RotationPortError(.failed, "exit status 2"))
        let outcome = await world.driver().run(.rotate(force: true))
        #expect(outcome.errorCode == .verifyFailed)
        #expect(world.restarter.restarts.map(\.key).suffix(2) == [world.originalKey.accessKeyID, world.originalKey.accessKeyID])
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }

    @Test("a unit that cannot be asked during the rollback is retried; the new key is deleted only after it ran on the old key")
    func rollbackWaitsForTheUnit() async throws {
        let world = FakeWorld(restartUnits: [Self.units[0]])
        world.verifier.inject(RotationPortError(.failed, "exit status 2"))
        // The first restart (on the new key) works; the next two (on the old key) cannot reach systemd.
        world.restarter.inject(RotationPortError(.unreachable, "the system bus is not reachable"), into: Self.units[0], times: 2, afterSuccesses: 1)
        let outcome = await world.driver().run(.rotate(force: true))
        #expect(outcome.isRolledBack)
        #expect(world.restarter.runningKey(of: Self.units[0]) == world.originalKey.accessKeyID)
        #expect(world.iam.violations.isEmpty, "\(world.iam.violations)")
        #expect(world.events.events.contains { if case .retryScheduled(.rollingBack, _, let error) = $0 { error.code == .restartFailed } else { false } })
        #expect(world.restarter.restarts.count == 2, "one restart on the new key, one on the old key once systemd answered")
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }

    @Test("the record names the units restarted only when there are some: older records and older readers are unaffected")
    func recordField() throws {
        var record = RotationRecord(user: "snowplow-operator")
        record.phase = .verifying
        let without = try #require(String(data: try record.encoded(), encoding: .utf8))
        #expect(!without.contains("restartedUnits"))
        record.restartedUnits = Self.units
        let decoded = try RotationRecord.decoded(from: try record.encoded())
        #expect(decoded.restartedUnits == Self.units)
    }

    @Test("killed after a unit's restart was recorded: the restart resumes from that unit, the ones before are not restarted again")
    func resumeFromTheLastRecordedUnit() async throws {
        let units = ["a.service", "b.service", "c.service"]
        let reference = FakeWorld(restartUnits: units)
        _ = await reference.driver().run(.rotate(force: true))
        let index = try #require(reference.crashSwitch.log.firstIndex(of: "restarter.restart b.service"))

        let world = FakeWorld(restartUnits: units)
        world.crashSwitch.arm(at: index, .afterEffect)
        _ = await world.driver().run(.rotate(force: true))
        #expect(try world.store.record?.restartedUnits == ["a.service", "b.service"])
        world.crashSwitch.revive()
        let outcome = await world.driver().run(.resume)
        #expect(outcome.isCompleted)
        #expect(world.restarter.restarts.map(\.unit) == ["a.service", "b.service", "b.service", "c.service"])
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }

    @Test("a use of the old key after the restarts is a warning naming the restarted units; a use before them is not")
    func oldKeyUsedAfterTheRestarts() async throws {
        let world = FakeWorld(restartUnits: Self.units)
        let old = world.originalKey.accessKeyID
        world.iam.recordUse(of: old, at: world.clock.now.addingTimeInterval(1_800), service: "kinesis", region: "eu-west-1")
        _ = await world.driver().run(.rotate(force: true))
        let warning = try #require(world.events.events.first { if case .oldKeyStillInUse = $0 { true } else { false } })
        guard case .oldKeyStillInUse(let id, _, let units) = warning else { return }
        #expect(id == old && units == Self.units)

        let quiet = FakeWorld(restartUnits: Self.units)
        quiet.iam.recordUse(of: quiet.originalKey.accessKeyID, at: quiet.clock.now, service: "kinesis", region: "eu-west-1")
        _ = await quiet.driver().run(.rotate(force: true))
        #expect(!quiet.events.events.contains { if case .oldKeyStillInUse = $0 { true } else { false } })
        #expect(quiet.events.events.contains { if case .keyLastUsed = $0 { true } else { false } })
    }

    @Test("a stopped unit stays stopped: not restarted on the new key, not started by a rollback")
    func stoppedUnitStaysStopped() async throws {
        let world = FakeWorld(restartUnits: Self.units)
        world.restarter.stop(Self.units[0])
        world.verifier.inject(RotationPortError(.failed, "exit status 2"))
        let outcome = await world.driver().run(.rotate(force: true))
        #expect(outcome.errorCode == .verifyFailed)
        #expect(world.restarter.runningKey(of: Self.units[0]) == nil)
        #expect(world.restarter.restarts.map(\.unit) == [Self.units[1], Self.units[1]])
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }
}
