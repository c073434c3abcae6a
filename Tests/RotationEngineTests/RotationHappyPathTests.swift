import Foundation
import KeyrotCore
import KeyrotTestSupport
import RotationEngine
import Testing

@Suite("A rotation without faults")
struct RotationHappyPathTests {
    @Test("a forced rotation ends with one new Active key that every file holds, the old key deleted")
    func completes() async throws {
        let world = FakeWorld(propagationDelay: 5)
        let outcome = await world.driver().run(.rotate(force: false))

        #expect(outcome.isCompleted)
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
        #expect(!world.iam.keys.contains { $0.id == world.originalKey.accessKeyID })
        #expect(world.iam.calls(.create) == 1)
        #expect(world.verifier.passes == 1)
        let record = try #require(try world.store.record)
        #expect(record.currentKeyID == world.iam.keys.first?.id)
        #expect(record.lastCompletedAt != nil)
    }

    @Test("the record keeps when the key in use was created (status shows its age), and a rollback to that key keeps it")
    func currentKeyCreationIsRecorded() async throws {
        let world = FakeWorld()
        let created = world.clock.now
        _ = await world.driver().run(.rotate(force: true))
        let completed = try #require(try world.store.record)
        let createdAt = try #require(completed.currentKeyCreatedAt)
        // The key was made within the run's first steps, long before overlap and grace ended.
        #expect(createdAt >= created && createdAt < created.addingTimeInterval(60))

        world.verifier.inject(RotationPortError(.failed, "exit status 1"))
        let outcome = await world.driver().run(.rotate(force: true))
        #expect(outcome.errorCode == .verifyFailed)
        let rolledBack = try #require(try world.store.record)
        #expect(rolledBack.currentKeyID == completed.currentKeyID)
        #expect(rolledBack.currentKeyCreatedAt == createdAt)
    }

    @Test("IAM writes come in the order create, deactivate old, delete old")
    func orderOfWrites() async throws {
        let world = FakeWorld()
        _ = await world.driver().run(.rotate(force: true))
        let new = try #require(world.iam.keys.first?.id)
        let old = world.originalKey.accessKeyID
        #expect(world.iam.writes == ["create \(new)", "update \(old) Inactive", "delete \(old)"])
    }

    @Test("overlap and grace are waited for, counted from the recorded switch and deactivation")
    func waitsThroughOverlapAndGrace() async throws {
        let world = FakeWorld()
        let start = world.clock.now
        _ = await world.driver().run(.rotate(force: true))
        let sleeps = world.clock.sleeps
        #expect(sleeps.count >= 2)
        let overlapEnd = try #require(sleeps.first { $0.timeIntervalSince(start) >= 3_600 })
        #expect(sleeps.contains { abs($0.timeIntervalSince(overlapEnd) - 86_400) < 1 })
        #expect(world.clock.now.timeIntervalSince(start) >= 3_600 + 86_400)
    }

    @Test("a young key is not rotated without force; the next due date is its creation plus max_age")
    func youngKeyNotDue() async throws {
        let world = FakeWorld(keyAge: 10 * 86_400)
        let outcome = await world.driver().run(.rotate(force: false))
        let created = world.clock.now.addingTimeInterval(-10 * 86_400)
        #expect(outcome == .idle(nextDue: created.addingTimeInterval(90 * 86_400)))
        #expect(world.iam.calls(.create) == 0)
    }

    @Test("resume with nothing in flight changes nothing and reports the next due date")
    func resumeIdle() async throws {
        let world = FakeWorld()
        let outcome = await world.driver().run(.resume)
        guard case .idle(let due) = outcome else {
            Issue.record("expected idle, got \(outcome)")
            return
        }
        #expect(due != nil)
        #expect(world.iam.writes.isEmpty)
        #expect(world.files.writeCount == 0)
    }

    @Test("flaky checks after a first success still need three consecutive passes")
    func flakyPropagation() async throws {
        let world = FakeWorld(propagationDelay: 3, flakyChecksAfterFirstSuccess: 4)
        let outcome = await world.driver().run(.rotate(force: true))
        #expect(outcome.isCompleted)
        #expect(world.iam.calls(.identity) > 3)
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }

    @Test("events report progress in plain words and never contain a secret")
    func eventsWithoutSecrets() async throws {
        let world = FakeWorld(propagationDelay: 2)
        _ = await world.driver().run(.rotate(force: true))
        let progress = world.events.events.compactMap { if case .progress(_, let message) = $0 { message } else { nil } }
        #expect(progress.contains { $0.contains("waiting for the new key to work (check 2 of 3)") })
        #expect(progress.contains { $0.hasPrefix("overlap: old key") && $0.contains("stays active until") })
        #expect(world.events.events.contains { if case .rotationCompleted = $0 { true } else { false } })
        for secret in world.knownSecrets {
            #expect(!world.events.events.contains { "\($0)".contains(secret) })
        }
    }

    @Test("a use of the old key after the switch is reported with service and region")
    func oldKeyStillInUse() async throws {
        let world = FakeWorld()
        let old = world.originalKey.accessKeyID
        // Someone keeps using the old key: mark a use far in the future of the switch.
        world.iam.recordUse(of: old, at: world.clock.now.addingTimeInterval(1_800), service: "s3", region: "eu-west-1")
        _ = await world.driver().run(.rotate(force: true))
        let warning = world.events.events.first {
            if case .oldKeyStillInUse(let id, let use, let units) = $0 {
                return id == old && use.serviceName == "s3" && use.region == "eu-west-1" && units.isEmpty
            }
            return false
        }
        #expect(warning != nil)
    }

    @Test("the next due date while a rotation is in flight is its next deadline")
    func nextDueInFlight() throws {
        let policy = RotationPolicy.forTests(user: "u", files: []) { $0.overlap = 60; $0.grace = 120 }
        var record = RotationRecord(user: "u")
        let switched = Date(timeIntervalSince1970: 1_000)
        record.phase = .overlapping
        record.switchedAt = switched
        #expect(policy.nextDueDate(record: record, activeKey: nil) == switched.addingTimeInterval(60))
        let key = AccessKeyMetadata(keyID: AccessKeyID("AKIA1"), status: .active, createdAt: switched)
        #expect(policy.nextDueDate(record: RotationRecord(user: "u"), activeKey: key) == switched.addingTimeInterval(policy.maxAge))
    }
}
