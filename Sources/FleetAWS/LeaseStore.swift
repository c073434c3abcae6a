import Foundation

/// The lease item as read: who holds it, its record version number, the holder's lease duration,
/// and every other attribute (the rotation record the leader keeps in the same item).
public struct LeaseItem: Sendable, Hashable {
    public static let ownerAttribute = "owner"
    public static let rvnAttribute = "rvn"
    public static let durationAttribute = "lease_ms"
    /// The attributes the lease itself owns; ``record`` holds the others.
    public static let leaseAttributes: Set<String> = ["pk", ownerAttribute, rvnAttribute, durationAttribute]

    /// The holder's host id; nil when the lease is free (released, or never taken).
    public var owner: String?
    /// A new random value on every write by the holder; what a contender watches.
    public var rvn: String?
    /// The lease duration the writer used; a contender waits at least this long.
    public var leaseDuration: Duration?
    public var record: DynamoDBItem

    public init(owner: String?, rvn: String?, leaseDuration: Duration?, record: DynamoDBItem = [:]) {
        self.owner = owner
        self.rvn = rvn
        self.leaseDuration = leaseDuration
        self.record = record
    }

    /// The lease part of a table item (its key attribute and the lease's own attributes set aside).
    public init(item: DynamoDBItem) {
        owner = item[Self.ownerAttribute]?.string
        rvn = item[Self.rvnAttribute]?.string
        leaseDuration = item[Self.durationAttribute]?.integer.map { .milliseconds($0) }
        record = item.filter { !Self.leaseAttributes.contains($0.key) }
    }
}

/// What a write of the lease item requires of the item as it is.
public enum LeaseExpectation: Sendable, Hashable {
    /// Taking: the item's rvn is still `rvn`, the value the contender read (nil: the item, or its
    /// rvn, did not exist). DynamoDB: `attribute_not_exists(pk) OR rvn = :seen`.
    case unchanged(rvn: String?)
    /// The fence of every holder's write: `owner = :me AND rvn = :mine`.
    case heldBy(owner: String, rvn: String)

    /// Whether `item` (nil: absent) meets this expectation.
    public func holds(for item: LeaseItem?) -> Bool {
        switch self {
        case .unchanged(let seen): item?.rvn == seen
        case .heldBy(let owner, let rvn): item?.owner == owner && item?.rvn == rvn
        }
    }
}

/// One write of the lease item: the lease's own attributes, plus changes to the record.
public struct LeaseWrite: Sendable, Hashable {
    /// The new holder; nil releases the lease (the item and its record stay).
    public var owner: String?
    public var rvn: String
    public var leaseDuration: Duration
    /// Record attributes to set and to remove (never the lease's own attributes).
    public var set: DynamoDBItem
    public var remove: Set<String>

    public init(owner: String?, rvn: String, leaseDuration: Duration, set: DynamoDBItem = [:], remove: Set<String> = []) {
        precondition(Set(set.keys).isDisjoint(with: LeaseItem.leaseAttributes) && remove.isDisjoint(with: LeaseItem.leaseAttributes),
                     "the lease's own attributes change only through the lease")
        self.owner = owner
        self.rvn = rvn
        self.leaseDuration = leaseDuration
        self.set = set
        self.remove = remove
    }
}

public enum LeaseWriteResult: Sendable, Hashable {
    /// Applied; the item as written.
    case written(LeaseItem)
    /// The expectation did not hold: nothing was written; the item as it was (nil: absent).
    case conflict(LeaseItem?)
}

/// Where the lease item lives: one item, read consistently, written only conditionally.
public protocol LeaseStore: Sendable {
    func read() async throws -> LeaseItem?
    /// Applies `write` if `expectation` holds.
    /// - Throws: ``AWSServiceError`` with `.ambiguous` when the write may or may not have applied.
    func write(_ write: LeaseWrite, expecting expectation: LeaseExpectation) async throws -> LeaseWriteResult
}
