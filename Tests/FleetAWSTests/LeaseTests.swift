import FleetAWS
import Foundation
import KeyrotTestSupport
import Synchronization
import Testing

/// The lease's rules on a manual clock over an in-memory table: who may take it when, the fence,
/// and ambiguous writes settled by a read.
@Suite struct LeaseTests {
    static let duration = Duration.seconds(60)

    /// Record version numbers `rvn-1`, `rvn-2`, ... in order, shared by every lease of one test.
    final class Counter: Sendable {
        private let next = Mutex(0)
        func rvn() -> String { next.withLock { $0 += 1; return "rvn-\($0)" } }
    }

    static func lease(_ host: String, _ store: FakeLeaseStore, _ clock: TestClock, _ counter: Counter,
                      duration: Duration = duration) -> FleetLease {
        FleetLease(store: store, hostID: host, duration: duration, clock: clock, makeRVN: { counter.rvn() })
    }

    static func handle(_ attempt: LeaseAttempt) throws -> LeaseHandle {
        guard case .acquired(let handle) = attempt else { throw LeaseExpectationFailure(attempt: attempt) }
        return handle
    }

    struct LeaseExpectationFailure: Error { let attempt: LeaseAttempt }

    @Test func aFreeLeaseIsTakenAtOnceAndNamesItsHolder() async throws {
        let (store, clock, counter) = (FakeLeaseStore(), TestClock(), Counter())
        var watch = LeaseWatch()
        let handle = try Self.handle(try await Self.lease("a", store, clock, counter).tryAcquire(&watch))
        #expect(handle.owner == "a")
        #expect(store.item?.owner == "a")
        #expect(store.item?.rvn == handle.rvn)
        #expect(store.item?.leaseDuration == Self.duration)
        #expect(handle.safeUntil == clock.now.addingTimeInterval(60))
    }

    @Test func aHeldLeaseIsTakenOnlyAfterItsRVNStayedUnchangedForAWholeDuration() async throws {
        let (store, clock, counter) = (FakeLeaseStore(), TestClock(), Counter())
        var watchA = LeaseWatch(), watchB = LeaseWatch()
        _ = try Self.handle(try await Self.lease("a", store, clock, counter).tryAcquire(&watchA))
        let b = Self.lease("b", store, clock, counter)

        guard case .busy(let holder, let takeoverAt) = try await b.tryAcquire(&watchB) else { Issue.record("b took a held lease"); return }
        #expect(holder == "a")
        #expect(takeoverAt == clock.now.addingTimeInterval(60))
        clock.advance(by: 59.9)
        guard case .busy = try await b.tryAcquire(&watchB) else { Issue.record("b took the lease before a whole duration"); return }
        clock.advance(by: 0.1)
        let handle = try Self.handle(try await b.tryAcquire(&watchB))
        #expect(handle.owner == "b")
        #expect(store.item?.owner == "b")
    }

    /// The contender measures from its first sight of an rvn, not from any time in the item: a
    /// new contender (or one whose clock is far off) waits a whole duration itself.
    @Test func theWaitStartsAtTheContendersOwnFirstSight() async throws {
        let (store, clock, counter) = (FakeLeaseStore(), TestClock(), Counter())
        var watchA = LeaseWatch(), watchB = LeaseWatch()
        _ = try Self.handle(try await Self.lease("a", store, clock, counter).tryAcquire(&watchA))
        clock.advance(by: 3600)
        guard case .busy(_, let takeoverAt) = try await Self.lease("b", store, clock, counter).tryAcquire(&watchB) else {
            Issue.record("a lease untouched for an hour was taken at first sight"); return
        }
        #expect(takeoverAt == clock.now.addingTimeInterval(60))
    }

    @Test func aRenewalRestartsTheContendersWait() async throws {
        let (store, clock, counter) = (FakeLeaseStore(), TestClock(), Counter())
        var watchA = LeaseWatch(), watchB = LeaseWatch()
        let a = Self.lease("a", store, clock, counter), b = Self.lease("b", store, clock, counter)
        var handle = try Self.handle(try await a.tryAcquire(&watchA))
        _ = try await b.tryAcquire(&watchB)
        clock.advance(by: 40)
        handle = try await a.renew(handle)
        clock.advance(by: 40)
        guard case .busy(_, let takeoverAt) = try await b.tryAcquire(&watchB) else { Issue.record("b took a renewed lease"); return }
        #expect(takeoverAt == clock.now.addingTimeInterval(60), "the wait restarts when b first sees the new rvn")
        #expect(store.item?.rvn == handle.rvn)
    }

    @Test func aDeposedHoldersFencedWritesFailWithLeaseLost() async throws {
        let (store, clock, counter) = (FakeLeaseStore(), TestClock(), Counter())
        var watchA = LeaseWatch(), watchB = LeaseWatch()
        let a = Self.lease("a", store, clock, counter), b = Self.lease("b", store, clock, counter)
        let stale = try Self.handle(try await a.tryAcquire(&watchA))
        _ = try await b.tryAcquire(&watchB)
        clock.advance(by: 60)
        let current = try Self.handle(try await b.tryAcquire(&watchB))
        let before = store.item

        for write in [{ _ = try await a.renew(stale) }, { _ = try await a.update(stale, set: ["phase": .string("created")]) },
                      { try await a.release(stale) }] {
            let lost = await #expect(throws: LeaseLost.self) { try await write() }
            #expect(lost?.current?.owner == "b")
        }
        #expect(store.item == before, "nothing a deposed holder wrote reached the item")
        _ = try await b.renew(current)
    }

    @Test func theHoldersWritesCarryTheRecordAndKeepItAcrossHolders() async throws {
        let (store, clock, counter) = (FakeLeaseStore(), TestClock(), Counter())
        var watchA = LeaseWatch(), watchB = LeaseWatch()
        let a = Self.lease("a", store, clock, counter), b = Self.lease("b", store, clock, counter)
        var handle = try Self.handle(try await a.tryAcquire(&watchA))
        handle = try await a.update(handle, set: ["phase": .string("creating"), "rotation": .integer(7)])
        handle = try await a.update(handle, set: ["phase": .string("created")], remove: ["rotation"])
        #expect(handle.item.record == ["phase": .string("created")])
        try await a.release(handle)
        #expect(store.item?.owner == nil)
        let taken = try Self.handle(try await b.tryAcquire(&watchB))
        #expect(taken.item.record == ["phase": .string("created")], "a released lease is taken at once, record kept")
    }

    @Test func aHostRetakesItsOwnLeaseAfterARestartWithoutWaiting() async throws {
        let (store, clock, counter) = (FakeLeaseStore(), TestClock(), Counter())
        var before = LeaseWatch(), after = LeaseWatch()
        _ = try Self.handle(try await Self.lease("a", store, clock, counter).tryAcquire(&before))
        let handle = try Self.handle(try await Self.lease("a", store, clock, counter).tryAcquire(&after))
        #expect(handle.rvn == store.item?.rvn)
    }

    @Test func aHoldersLongerLeaseDurationIsRespected() async throws {
        let (store, clock, counter) = (FakeLeaseStore(), TestClock(), Counter())
        var watchA = LeaseWatch(), watchB = LeaseWatch()
        _ = try Self.handle(try await Self.lease("a", store, clock, counter, duration: .seconds(300)).tryAcquire(&watchA))
        let b = Self.lease("b", store, clock, counter)
        _ = try await b.tryAcquire(&watchB)
        clock.advance(by: 60)
        guard case .busy(_, let takeoverAt) = try await b.tryAcquire(&watchB) else { Issue.record("b used its own shorter duration"); return }
        #expect(takeoverAt == clock.now.addingTimeInterval(240))
    }

    @Test func aContenderThatLosesTheRaceLearnsTheWinnerFromTheConditionFailure() async throws {
        let (store, clock, counter) = (FakeLeaseStore(), TestClock(), Counter())
        var watch = LeaseWatch()
        // a takes the free lease between b's read and b's write.
        store.applyBeforeNextWrite(LeaseWrite(owner: "a", rvn: "a-1", leaseDuration: Self.duration))
        guard case .busy(let holder, let takeoverAt) = try await Self.lease("b", store, clock, counter).tryAcquire(&watch) else {
            Issue.record("b took the lease a had just taken"); return
        }
        #expect(holder == "a")
        #expect(takeoverAt == clock.now.addingTimeInterval(60))
        #expect(store.item?.owner == "a")
        #expect(store.writes == 1)
    }

    @Test func anAmbiguousWriteThatAppliedIsSettledAsWritten() async throws {
        let (store, clock, counter) = (FakeLeaseStore(), TestClock(), Counter())
        var watch = LeaseWatch()
        let a = Self.lease("a", store, clock, counter)
        store.failNextWrite(.appliedThenLost)
        var handle = try Self.handle(try await a.tryAcquire(&watch))
        #expect(store.item?.rvn == handle.rvn)
        store.failNextWrite(.appliedThenLost)
        handle = try await a.renew(handle)
        #expect(store.item?.rvn == handle.rvn)
    }

    @Test func anAmbiguousWriteThatDidNotApplyIsRethrownAndTheLeaseStaysUsable() async throws {
        let (store, clock, counter) = (FakeLeaseStore(), TestClock(), Counter())
        var watch = LeaseWatch()
        let a = Self.lease("a", store, clock, counter)
        let handle = try Self.handle(try await a.tryAcquire(&watch))
        store.failNextWrite(.lostBeforeApplying)
        let error = await #expect(throws: AWSServiceError.self) { _ = try await a.renew(handle) }
        #expect(error?.code == .ambiguous)
        _ = try await a.renew(handle)
    }
}
