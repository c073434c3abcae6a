import Foundation
import KeyrotCore

/// The lease item in a DynamoDB table (`pk` = ``key``): a consistent `GetItem` and conditional
/// `UpdateItem`s, so that a write never replaces the record the item also holds.
public struct DynamoDBLeaseStore: LeaseStore {
    public static let defaultKey = "lease"

    public let client: DynamoDBClient
    public let table: String
    public let key: String
    /// The credentials to sign with now (a host's key changes with each rotation).
    private let credentials: @Sendable () -> Credentials

    public init(client: DynamoDBClient, table: String, key: String = defaultKey, credentials: @escaping @Sendable () -> Credentials) {
        self.client = client
        self.table = table
        self.key = key
        self.credentials = credentials
    }

    private var itemKey: DynamoDBItem { ["pk": .string(key)] }

    public func read() async throws -> LeaseItem? {
        try await client.getItem(table, key: itemKey, credentials: credentials()).map(LeaseItem.init(item:))
    }

    public func write(_ write: LeaseWrite, expecting expectation: LeaseExpectation) async throws -> LeaseWriteResult {
        do {
            let item = try await client.updateItem(table, key: itemKey, update: Self.update(write), condition: Self.condition(expectation),
                                                   credentials: credentials())
            return .written(LeaseItem(item: item))
        } catch let error as AWSServiceError where error.code == .conditionalCheckFailed {
            return .conflict(error.itemAtFailure.flatMap(DynamoDBItem.init(json:)).map(LeaseItem.init(item:)))
        }
    }

    /// `SET #owner = :owner, #rvn = :rvn, #lease_ms = :lease_ms, #s0 = :s0 ... REMOVE #r0 ...`
    /// (`REMOVE #owner` on release). Every name goes through a placeholder: `owner` is a reserved word.
    static func update(_ write: LeaseWrite) -> DynamoDBExpression {
        var names = ["#rvn": LeaseItem.rvnAttribute, "#lease_ms": LeaseItem.durationAttribute]
        let milliseconds = write.leaseDuration.components.seconds * 1000 + write.leaseDuration.components.attoseconds / 1_000_000_000_000_000
        var values: DynamoDBItem = [":rvn": .string(write.rvn), ":lease_ms": .integer(milliseconds)]
        var sets = ["#rvn = :rvn", "#lease_ms = :lease_ms"]
        var removes: [String] = []
        names["#owner"] = LeaseItem.ownerAttribute
        if let owner = write.owner {
            sets.append("#owner = :owner")
            values[":owner"] = .string(owner)
        } else {
            removes.append("#owner")
        }
        for (index, (name, value)) in write.set.sorted(by: { $0.key < $1.key }).enumerated() {
            names["#s\(index)"] = name
            values[":s\(index)"] = value
            sets.append("#s\(index) = :s\(index)")
        }
        for (index, name) in write.remove.sorted().enumerated() {
            names["#r\(index)"] = name
            removes.append("#r\(index)")
        }
        let text = "SET " + sets.joined(separator: ", ") + (removes.isEmpty ? "" : " REMOVE " + removes.joined(separator: ", "))
        return DynamoDBExpression(text, names: names, values: values)
    }

    static func condition(_ expectation: LeaseExpectation) -> DynamoDBExpression {
        switch expectation {
        case .unchanged(rvn: nil):
            DynamoDBExpression("attribute_not_exists(#rvn)", names: ["#rvn": LeaseItem.rvnAttribute])
        case .unchanged(rvn: let seen?):
            DynamoDBExpression("attribute_not_exists(#pk) OR #rvn = :seen", names: ["#pk": "pk", "#rvn": LeaseItem.rvnAttribute],
                               values: [":seen": .string(seen)])
        case .heldBy(let owner, let rvn):
            DynamoDBExpression("#owner = :me AND #rvn = :mine", names: ["#owner": LeaseItem.ownerAttribute, "#rvn": LeaseItem.rvnAttribute],
                               values: [":me": .string(owner), ":mine": .string(rvn)])
        }
    }
}
