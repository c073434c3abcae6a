import Foundation
import KeyrotCore
import KeyrotTestSupport
import RotationEngine
import Testing

/// A clock whose long sleeps really wait (until cancelled) and announce themselves.
final class WaitingClock: KeyrotClock {
    let base: TestClock
    let sleeping: AsyncStream<Date>
    private let announce: AsyncStream<Date>.Continuation

    init(base: TestClock) {
        self.base = base
        (sleeping, announce) = AsyncStream.makeStream(of: Date.self)
    }

    var now: Date { base.now }

    func sleep(until deadline: Date) async throws {
        guard deadline.timeIntervalSince(base.now) > 60 else { return try await base.sleep(until: deadline) }
        announce.yield(deadline)
        try await Task.sleep(for: .seconds(3_600))
    }
}

@Suite("Cancelling a run")
struct RotationCancellationTests {
    @Test("cancelling during the overlap wait stops the run there; a later run finishes from the record")
    func cancelDuringOverlap() async throws {
        let world = FakeWorld()
        let clock = WaitingClock(base: world.clock)
        let driver = RotationDriver(
            policy: world.policy, clock: clock, keys: world.iam, files: world.files, store: world.store,
            verifier: world.verifier, restarter: world.restarter, events: world.events
        )
        let run = Task { await driver.run(.rotate(force: true)) }
        var iterator = clock.sleeping.makeAsyncIterator()
        _ = await iterator.next()
        run.cancel()
        let outcome = await run.value
        #expect(outcome == .interrupted(phase: .overlapping, nil))
        #expect(try world.store.record?.phase == .overlapping)
        #expect(world.iam.keys.count == 2)

        let finished = await world.driver().run(.resume)
        #expect(finished.isCompleted)
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }
}
