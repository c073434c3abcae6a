import FleetAWS
import Synchronization

/// The lease item in memory, with the conditional-write semantics of DynamoDB, for unit tests of
/// the lease. `failNextWrite` makes the next write end ambiguously, applied or not.
public final class FakeLeaseStore: LeaseStore {
    public enum Ambiguity: Sendable {
        /// The write is applied, then the caller is told the connection was lost.
        case appliedThenLost
        /// The connection is lost before the write reaches the table.
        case lostBeforeApplying
    }

    private let state = Mutex<(item: LeaseItem?, writes: Int, ambiguity: Ambiguity?, interloper: LeaseWrite?)>((nil, 0, nil, nil))

    public init(item: LeaseItem? = nil) {
        state.withLock { $0.item = item }
    }

    public var item: LeaseItem? { state.withLock { $0.item } }
    /// Writes applied so far.
    public var writes: Int { state.withLock { $0.writes } }

    public func failNextWrite(_ ambiguity: Ambiguity) {
        state.withLock { $0.ambiguity = ambiguity }
    }

    /// Another host's write, applied unconditionally just before the next write (a lost race).
    public func applyBeforeNextWrite(_ write: LeaseWrite) {
        state.withLock { $0.interloper = write }
    }

    public func read() async throws -> LeaseItem? {
        state.withLock { $0.item }
    }

    public func write(_ write: LeaseWrite, expecting expectation: LeaseExpectation) async throws -> LeaseWriteResult {
        let (result, ambiguity) = state.withLock { state -> (LeaseWriteResult?, Ambiguity?) in
            let ambiguity = state.ambiguity
            state.ambiguity = nil
            if let interloper = state.interloper {
                state.interloper = nil
                state.item = Self.apply(interloper, to: state.item)
                state.writes += 1
            }
            if ambiguity == .lostBeforeApplying { return (nil, ambiguity) }
            guard expectation.holds(for: state.item) else { return (.conflict(state.item), ambiguity) }
            let item = Self.apply(write, to: state.item)
            state.item = item
            state.writes += 1
            return (.written(item), ambiguity)
        }
        if ambiguity != nil { throw AWSServiceError(.ambiguous, detail: "connection lost (fake)") }
        return result!
    }

    private static func apply(_ write: LeaseWrite, to item: LeaseItem?) -> LeaseItem {
        var record = item?.record ?? [:]
        record.merge(write.set) { _, new in new }
        for name in write.remove { record[name] = nil }
        return LeaseItem(owner: write.owner, rvn: write.rvn, leaseDuration: write.leaseDuration, record: record)
    }
}
