import Foundation
import KeyrotCore

/// The lease one host holds to lead the fleet, after the DynamoDB Lock Client's design: no
/// synchronized clocks. A contender takes a held lease only once the record version number (rvn)
/// it read has stayed unchanged for a full lease duration measured on its own clock; the holder
/// writes a new rvn with every renewal, and every holder's write is fenced by owner and rvn, so a
/// holder that lost the lease learns it from the failed condition.
public struct FleetLease: Sendable {
    public let store: any LeaseStore
    public let hostID: String
    public let duration: Duration
    private let clock: any KeyrotClock
    private let makeRVN: @Sendable () -> String

    /// - Parameter makeRVN: a new random record version number per write.
    public init(store: any LeaseStore, hostID: String, duration: Duration, clock: any KeyrotClock = SystemClock(),
                makeRVN: @escaping @Sendable () -> String = { UUID().uuidString.lowercased() }) {
        self.store = store
        self.hostID = hostID
        self.duration = duration
        self.clock = clock
        self.makeRVN = makeRVN
    }

    /// Takes the lease when it is free, this host's own (from before a restart), or has kept the
    /// same rvn for a whole lease duration (the holder's, when longer than ours) since `watch` first
    /// saw it. Keep one `watch` per contender across attempts: it is the contender's memory.
    /// - Throws: ``AWSServiceError`` (`.ambiguous` when a take may have applied and a read could not tell).
    public func tryAcquire(_ watch: inout LeaseWatch) async throws -> LeaseAttempt {
        let item = try await store.read()
        let now = clock.now
        if let item, let holder = item.owner, holder != hostID {
            let seen = watch.seen.flatMap { $0.rvn == item.rvn ? $0 : nil } ?? LeaseWatch.Seen(rvn: item.rvn, since: now)
            watch.seen = seen
            let takeoverAt = seen.since.addingTimeInterval(Self.seconds(max(duration, item.leaseDuration ?? duration)))
            guard now >= takeoverAt else { return .busy(holder: holder, takeoverAt: takeoverAt) }
        }
        let sent = clock.now
        let write = LeaseWrite(owner: hostID, rvn: makeRVN(), leaseDuration: duration)
        switch try await self.write(write, expecting: .unchanged(rvn: item?.rvn)) {
        case .written(let written):
            watch.seen = nil
            return .acquired(LeaseHandle(owner: hostID, rvn: write.rvn, writtenAt: sent, duration: duration, item: written))
        case .conflict(let current):
            // Another host wrote first: its write is what we watch from now on.
            let now = clock.now
            watch.seen = .init(rvn: current?.rvn, since: now)
            let wait = current?.owner == nil ? 0 : Self.seconds(max(duration, current?.leaseDuration ?? duration))
            return .busy(holder: current?.owner, takeoverAt: now.addingTimeInterval(wait))
        }
    }

    /// A fenced write by the holder: sets and removes record attributes and writes a new rvn.
    /// - Throws: ``LeaseLost`` when the lease is no longer `handle`'s; ``AWSServiceError`` otherwise
    ///   (`.ambiguous`: not applied as far as a read shows, and the lease still `handle`'s).
    public func update(_ handle: LeaseHandle, set: DynamoDBItem = [:], remove: Set<String> = []) async throws -> LeaseHandle {
        let sent = clock.now
        let write = LeaseWrite(owner: hostID, rvn: makeRVN(), leaseDuration: duration, set: set, remove: remove)
        switch try await self.write(write, expecting: .heldBy(owner: handle.owner, rvn: handle.rvn)) {
        case .written(let item): return LeaseHandle(owner: hostID, rvn: write.rvn, writtenAt: sent, duration: duration, item: item)
        case .conflict(let current): throw LeaseLost(hostID: hostID, current: current)
        }
    }

    /// Renews the lease (a fenced write of a new rvn); call it every `duration / 3` while holding.
    public func renew(_ handle: LeaseHandle) async throws -> LeaseHandle {
        try await update(handle)
    }

    /// Gives the lease up (fenced); the item and its record stay for the next holder.
    /// - Throws: ``LeaseLost`` when it was no longer `handle`'s.
    public func release(_ handle: LeaseHandle) async throws {
        let write = LeaseWrite(owner: nil, rvn: makeRVN(), leaseDuration: duration)
        if case .conflict(let current) = try await self.write(write, expecting: .heldBy(owner: handle.owner, rvn: handle.rvn)) {
            throw LeaseLost(hostID: hostID, current: current)
        }
    }

    /// Writes, and settles an ambiguous outcome by reading: our rvn there means it applied; the
    /// item still as expected means it did not (the ambiguity is rethrown: try again); anything
    /// else is a conflict.
    private func write(_ write: LeaseWrite, expecting expectation: LeaseExpectation) async throws -> LeaseWriteResult {
        do {
            return try await store.write(write, expecting: expectation)
        } catch let error as AWSServiceError where error.code == .ambiguous {
            let current = try await store.read()
            if let current, current.rvn == write.rvn { return .written(current) }
            if expectation.holds(for: current) { throw error }
            return .conflict(current)
        }
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// A contender's memory of the lease: the rvn it saw and since when (its own clock).
public struct LeaseWatch: Sendable, Hashable {
    struct Seen: Sendable, Hashable {
        let rvn: String?
        let since: Date
    }

    var seen: Seen?

    public init() {}
}

public enum LeaseAttempt: Sendable, Hashable {
    case acquired(LeaseHandle)
    /// Not taken: `holder` has it (nil: it was freed meanwhile); unless its rvn changes, it can be
    /// taken at `takeoverAt` on this host's clock.
    case busy(holder: String?, takeoverAt: Date)
}

/// The lease as its holder last wrote it.
public struct LeaseHandle: Sendable, Hashable {
    public let owner: String
    public let rvn: String
    /// When the write that set ``rvn`` was sent, on the holder's clock.
    public let writtenAt: Date
    public let duration: Duration
    /// The item as written (the record included).
    public let item: LeaseItem

    /// Until when no other host can have taken the lease: a contender waits a whole lease duration
    /// after it first saw ``rvn``, which it cannot have seen before ``writtenAt``. A holder stops
    /// acting as leader past this instant unless a renewal succeeded.
    public var safeUntil: Date {
        let (seconds, attoseconds) = duration.components
        return writtenAt.addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
    }
}

/// The holder's fenced write failed: another host holds the lease now (or it was released).
public struct LeaseLost: Error, Sendable, CustomStringConvertible {
    public let hostID: String
    /// The item as it was when the condition failed (nil: absent).
    public let current: LeaseItem?

    public var description: String {
        let holder = current?.owner.map { "host '\($0)' holds it now" } ?? "it is free now"
        return "host '\(hostID)' lost the fleet lease (\(holder)); it stops leading and acts as a member"
    }
}
