import FleetAWS
import Foundation
import KeyrotCore
import KeyrotTestSupport
import Testing

/// The lease on a real DynamoDB evaluator (moto, authentication on): the conditions as written
/// for DynamoDB, contenders racing on one table, expiry on the contender's own clock, and the fence.
@Suite(.enabled(if: MotoServer.shouldRun, Comment(rawValue: Repository.skipReason)))
struct MotoLeaseTests {
    static func lease(_ fleet: MotoFleet, table: String, key: String, host: String, credentials: Credentials,
                      clock: any KeyrotClock = SystemClock()) -> FleetLease {
        let store = DynamoDBLeaseStore(client: fleet.dynamo, table: table, key: key) { credentials }
        return FleetLease(store: store, hostID: host, duration: .seconds(60), clock: clock)
    }

    /// Every contender reads the lease before any writes (each acts on the same view), then their
    /// conditional writes reach moto one at a time: moto evaluates conditions right but does not
    /// lock a table against concurrent writers (measured: two winners in 5 rounds of truly
    /// concurrent writes, with correct conditions), which real DynamoDB does.
    @Test func ofContendersRacingForAFreeLeaseExactlyOneWins() async throws {
        let fleet = try await MotoFleet()
        let credentials = try await fleet.user()
        let table = try await fleet.table()
        for round in 0..<5 {
            let key = "lease-\(round)"
            let hosts = ["a", "b", "c"]
            let gate = RaceGate(contenders: hosts.count)
            let outcomes = try await withThrowingTaskGroup(of: (String, LeaseAttempt).self) { group in
                for host in hosts {
                    let store = GatedLeaseStore(base: DynamoDBLeaseStore(client: fleet.dynamo, table: table, key: key) { credentials }, gate: gate)
                    let lease = FleetLease(store: store, hostID: host, duration: .seconds(60))
                    group.addTask {
                        var watch = LeaseWatch()
                        return (host, try await lease.tryAcquire(&watch))
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            let winners = outcomes.compactMap { host, attempt in if case .acquired = attempt { host } else { nil } }
            #expect(winners.count == 1, "round \(round): \(winners)")
            let stored = try await DynamoDBLeaseStore(client: fleet.dynamo, table: table, key: key) { credentials }.read()
            #expect(stored?.owner == winners.first)
            for (host, attempt) in outcomes where host != winners.first {
                guard case .busy(let holder, _) = attempt else { continue }
                #expect(holder == winners.first || holder == nil)
            }
        }
    }

    @Test func anUnrenewedLeaseIsTakenOverAndTheStaleHolderIsFenced() async throws {
        let fleet = try await MotoFleet()
        let credentials = try await fleet.user()
        let table = try await fleet.table()
        let clock = TestClock()
        let a = Self.lease(fleet, table: table, key: "lease", host: "a", credentials: credentials, clock: clock)
        let b = Self.lease(fleet, table: table, key: "lease", host: "b", credentials: credentials, clock: clock)
        var watchA = LeaseWatch(), watchB = LeaseWatch()

        guard case .acquired(var stale) = try await a.tryAcquire(&watchA) else { Issue.record("a did not take the free lease"); return }
        stale = try await a.update(stale, set: ["phase": .string("creating"), "rotation": .integer(1)])
        guard case .busy(holder: "a", _) = try await b.tryAcquire(&watchB) else { Issue.record("b took a held lease"); return }
        clock.advance(by: 30)
        let renewed = try await a.renew(stale)
        clock.advance(by: 45)
        guard case .busy = try await b.tryAcquire(&watchB) else { Issue.record("b took a lease renewed 45 s ago"); return }
        clock.advance(by: 60)
        guard case .acquired(let current) = try await b.tryAcquire(&watchB) else { Issue.record("b did not take the expired lease"); return }
        #expect(current.item.record["phase"] == .string("creating"), "the record survives the takeover")

        for write in [{ _ = try await a.renew(renewed) }, { _ = try await a.update(renewed, set: ["phase": .string("created")]) },
                      { try await a.release(renewed) }] {
            let lost = await #expect(throws: LeaseLost.self) { try await write() }
            #expect(lost?.current?.owner == "b")
        }
        let next = try await b.update(current, set: ["phase": .string("rollback")])
        try await b.release(next)
        let released = try await DynamoDBLeaseStore(client: fleet.dynamo, table: table, key: "lease") { credentials }.read()
        #expect(released?.owner == nil)
        #expect(released?.record["phase"] == .string("rollback"))
        guard case .acquired = try await a.tryAcquire(&watchA) else { Issue.record("a released lease was not free"); return }
    }
}

/// Holds contenders after their read until all have read, then admits their writes one at a time.
actor RaceGate {
    private let contenders: Int
    private var arrived = 0
    private var waitingForReads: [CheckedContinuation<Void, Never>] = []
    private var writing = false
    private var waitingToWrite: [CheckedContinuation<Void, Never>] = []

    init(contenders: Int) {
        self.contenders = contenders
    }

    func hasRead() async {
        arrived += 1
        if arrived >= contenders {
            waitingForReads.forEach { $0.resume() }
            waitingForReads = []
        } else {
            await withCheckedContinuation { waitingForReads.append($0) }
        }
    }

    func beginWrite() async {
        if !writing {
            writing = true
            return
        }
        await withCheckedContinuation { waitingToWrite.append($0) }
    }

    func endWrite() {
        if waitingToWrite.isEmpty { writing = false } else { waitingToWrite.removeFirst().resume() }
    }
}

/// A lease store whose reads and writes pass a ``RaceGate``.
struct GatedLeaseStore: LeaseStore {
    let base: DynamoDBLeaseStore
    let gate: RaceGate

    func read() async throws -> LeaseItem? {
        let item = try await base.read()
        await gate.hasRead()
        return item
    }

    func write(_ write: LeaseWrite, expecting expectation: LeaseExpectation) async throws -> LeaseWriteResult {
        await gate.beginWrite()
        do {
            let result = try await base.write(write, expecting: expectation)
            await gate.endWrite()
            return result
        } catch {
            await gate.endWrite()
            throw error
        }
    }
}
