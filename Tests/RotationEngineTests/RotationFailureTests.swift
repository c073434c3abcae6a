import Foundation
import KeyrotCore
import KeyrotTestSupport
import RotationEngine
import Synchronization
import Testing

@Suite("Failures: rollback before the switch, retries after it")
struct RotationFailureTests {
    @Test("propagation never comes: rolled back within propagation_timeout, the new key deleted")
    func propagationNeverComes() async throws {
        let world = FakeWorld(propagationDelay: .infinity)
        let start = world.clock.now
        let outcome = await world.driver().run(.rotate(force: true))
        #expect(outcome.errorCode == .propagationTimeout)
        #expect(outcome.error?.message.contains("before propagation_timeout (120 s) ran out") == true, "\(String(describing: outcome.error))")
        #expect(outcome.isRolledBack)
        #expect(world.clock.now.timeIntervalSince(start) <= world.policy.propagationTimeout)
        #expect(world.files.writeCount == 0)
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }

    @Test("the second file's write fails: every file restored, the new key deleted")
    func writeFailureRestoresEveryFile() async throws {
        let world = FakeWorld()
        world.files.inject(RotationPortError(.failed, "No space left on device"), into: .rewrite, path: world.policy.files[1])
        let outcome = await world.driver().run(.rotate(force: true))
        #expect(outcome.isRolledBack)
        #expect(outcome.errorCode == .fileFailed)
        for path in world.policy.files {
            #expect(world.files.pairs(in: path) == [world.originalKey])
        }
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
        #expect(world.events.events.contains { if case .rolledBack = $0 { return true } else { return false } })
    }

    @Test("a file edited by someone during the rotation: compare-and-swap refuses, everything rolls back")
    func concurrentEdit() async throws {
        let world = FakeWorld { $0.hasVerifyCommand = true }
        let path = world.policy.files[2]
        // The edit lands between the preflight read and the write: same pair, new version.
        world.files.inject(RotationPortError(.failed, "\(path) changed since it was read (compare-and-swap refused)"), into: .rewrite, path: path)
        let outcome = await world.driver().run(.rotate(force: true))
        #expect(outcome.isRolledBack)
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }

    @Test("the verify command fails: rolled back, files hold the old pair again")
    func verifyFails() async throws {
        let world = FakeWorld()
        world.verifier.inject(RotationPortError(.failed, "exit status 1"))
        let outcome = await world.driver().run(.rotate(force: true))
        #expect(outcome.errorCode == .verifyFailed)
        #expect(world.verifier.runs == 1)
        #expect(world.iam.keys.map(\.id) == [world.originalKey.accessKeyID])
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }

    @Test("ambiguous create (the key was made, the answer lost): resolved by listing, the orphan deleted")
    func ambiguousCreateMade() async throws {
        let world = FakeWorld()
        world.iam.inject(.lostAnswer, into: .create)
        let outcome = await world.driver().run(.rotate(force: true))
        #expect(outcome.errorCode == .unreachable)
        #expect(world.iam.calls(.create) == 1)
        #expect(world.events.events.contains { if case .keyDeleted(_, .orphan) = $0 { return true } else { return false } })
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }

    @Test("ambiguous create (nothing made): resolved by listing, nothing deleted, create not repeated")
    func ambiguousCreateNotMade() async throws {
        let world = FakeWorld()
        world.iam.inject(.error(RotationPortError(.unreachable, "connection reset")), into: .create)
        let outcome = await world.driver().run(.rotate(force: true))
        #expect(outcome.errorCode == .unreachable)
        #expect(world.iam.calls(.create) == 1)
        #expect(world.iam.writes.isEmpty)
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }

    @Test("DeleteAccessKey failing for a while: retried with backoff, never lost, then done")
    func deleteRetried() async throws {
        let world = FakeWorld()
        world.iam.inject(.error(RotationPortError(.unreachable, "ServiceUnavailable")), into: .delete, times: 3)
        let outcome = await world.driver().run(.rotate(force: true))
        #expect(outcome.isCompleted)
        #expect(world.iam.calls(.delete) == 4)
        let retries = world.events.events.filter { if case .retryScheduled(.deactivated, _, _) = $0 { return true } else { return false } }
        #expect(retries.count == 3)
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }

    @Test("DeleteAccessKey failing past the retries of one run: deferred, kept in the record, finished by a later run")
    func deleteDeferredAcrossRuns() async throws {
        let world = FakeWorld { $0.retriesPerRun = 2 }
        world.iam.inject(.error(RotationPortError(.failed, "Throttling")), into: .delete, times: 3)
        let first = await world.driver().run(.rotate(force: true))
        guard case .deferred(let phase, let retryAt, _) = first else {
            Issue.record("expected deferred, got \(first)")
            return
        }
        #expect(phase == .deactivated)
        let record = try #require(try world.store.record)
        #expect(record.phase == .deactivated)
        #expect(record.attempts == 2)
        #expect(record.nextAttemptAt == retryAt)
        #expect(record.newSecret != nil)

        let second = await world.driver().run(.resume)
        #expect(second.isCompleted)
        #expect(world.clock.now >= retryAt)
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }

    @Test("deactivation failing: retried; the old key is never deleted before it was deactivated")
    func deactivateRetried() async throws {
        let world = FakeWorld()
        world.iam.inject(.error(RotationPortError(.unreachable, "timeout")), into: .update, times: 2)
        let outcome = await world.driver().run(.rotate(force: true))
        #expect(outcome.isCompleted)
        let writes = world.iam.writes
        let old = world.originalKey.accessKeyID
        let deactivated = try #require(writes.firstIndex(of: "update \(old) Inactive"))
        let deleted = try #require(writes.firstIndex(of: "delete \(old)"))
        #expect(deactivated < deleted)
    }

    @Test("saving the new secret fails: the new key is deleted at once, nothing else changes")
    func secretNotSaved() async throws {
        let world = FakeWorld()
        // The intent is saved; saving the key and its secret fails.
        world.store.injectSaveFailure(RotationPortError(.failed, "No space left on device"), afterSuccesses: 1)
        let outcome = await world.driver().run(.rotate(force: true))
        #expect(outcome.errorCode == .stateStore)
        #expect(world.iam.calls(.create) == 1)
        #expect(world.iam.keys.map(\.id) == [world.originalKey.accessKeyID])
        #expect(world.files.writeCount == 0)
    }

    @Test("a stop request is honoured at the next safe point, and a later run finishes the rotation")
    func stopAndResume() async throws {
        let world = FakeWorld()
        let sink = StopOnEvent { if case .keyCreated = $0 { return true } else { return false } }
        let stopping = RotationDriver(
            policy: world.policy, clock: world.clock, keys: world.iam, files: world.files, store: world.store,
            verifier: world.verifier, restarter: world.restarter, events: sink
        )
        sink.attach(stopping)
        let first = await stopping.run(.rotate(force: true))
        guard case .interrupted(let phase, nil) = first else {
            Issue.record("expected interrupted, got \(first)")
            return
        }
        #expect(phase == .created)
        #expect(try world.store.record?.newSecret != nil)
        let second = await world.driver().run(.resume)
        #expect(second.isCompleted)
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }
}

/// Asks a driver to stop when an event matches.
final class StopOnEvent: RotationEventSink {
    private let driver = Mutex<RotationDriver?>(nil)
    private let matches: @Sendable (RotationEvent) -> Bool

    init(matches: @escaping @Sendable (RotationEvent) -> Bool) {
        self.matches = matches
    }

    func attach(_ driver: RotationDriver) {
        self.driver.withLock { $0 = driver }
    }

    func record(_ event: RotationEvent) {
        if matches(event) { driver.withLock { $0 }?.requestStop() }
    }
}
