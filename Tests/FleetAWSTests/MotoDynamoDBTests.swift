import FleetAWS
import Foundation
import KeyrotCore
import KeyrotTestSupport
import Testing

/// The DynamoDB calls against moto (authentication on), signed by a user allowed only the fleet
/// host's actions.
@Suite(.enabled(if: MotoServer.shouldRun, Comment(rawValue: Repository.skipReason)))
struct MotoDynamoDBTests {
    @Test func aTableIsCreatedOnDemandWithAStringPartitionKeyAndOnlyOnce() async throws {
        let fleet = try await MotoFleet()
        let table = try await fleet.table()
        let described = try await fleet.dynamo.describeTable(table, credentials: fleet.admin)
        #expect(described.status == "ACTIVE")
        #expect(described.partitionKeyName == "pk" && described.partitionKeyType == "S")
        #expect(described.arn?.hasSuffix(":table/\(table)") == true)
        let again = await #expect(throws: AWSServiceError.self) { _ = try await fleet.dynamo.createTable(table, credentials: fleet.admin) }
        #expect(again?.code == .resourceInUse)
        let missing = await #expect(throws: AWSServiceError.self) {
            _ = try await fleet.dynamo.getItem(MotoServer.uniqueName("absent"), key: ["pk": .string("x")], credentials: fleet.admin)
        }
        #expect(missing?.code == .resourceNotFound)
    }

    @Test func conditionalWritesApplyOrFailWithTheItemAsItWas() async throws {
        let fleet = try await MotoFleet()
        let host = try await fleet.user()
        let table = try await fleet.table()
        let key: DynamoDBItem = ["pk": .string("member#a")]
        let absent = DynamoDBExpression("attribute_not_exists(pk)")

        try await fleet.dynamo.putItem(table, item: key.merging(["heartbeat": .integer(1), "dropped": .bool(false)]) { $1 },
                                       condition: absent, credentials: host)
        let again = await #expect(throws: AWSServiceError.self) {
            try await fleet.dynamo.putItem(table, item: key.merging(["heartbeat": .integer(9)]) { $1 }, condition: absent, credentials: host)
        }
        #expect(again?.code == .conditionalCheckFailed)
        #expect(again?.itemAtFailure.flatMap(DynamoDBItem.init(json:))?["heartbeat"] == .integer(1), "the item as it was")

        let updated = try await fleet.dynamo.updateItem(table, key: key,
            update: DynamoDBExpression("SET heartbeat = heartbeat + :one", values: [":one": .integer(1)]),
            condition: DynamoDBExpression("dropped <> :true", values: [":true": .bool(true)]), credentials: host)
        #expect(updated["heartbeat"] == .integer(2))
        #expect(try await fleet.dynamo.getItem(table, key: key, credentials: host)?["heartbeat"] == .integer(2))

        let queried = try await fleet.dynamo.query(table, keyCondition: DynamoDBExpression("pk = :pk", values: [":pk": .string("member#a")]),
                                                   credentials: host)
        #expect(queried.count == 1)

        let wrongDelete = await #expect(throws: AWSServiceError.self) {
            try await fleet.dynamo.deleteItem(table, key: key, condition: DynamoDBExpression("heartbeat = :h", values: [":h": .integer(7)]),
                                              credentials: host)
        }
        #expect(wrongDelete?.code == .conditionalCheckFailed)
        try await fleet.dynamo.deleteItem(table, key: key, condition: DynamoDBExpression("heartbeat = :h", values: [":h": .integer(2)]),
                                          credentials: host)
        #expect(try await fleet.dynamo.getItem(table, key: key, credentials: host) == nil)
    }

    /// The host's policy lacks dynamodb:CreateTable; and a user without UpdateItem cannot write the lease.
    @Test func actionsOutsideThePolicyAreAccessDenied() async throws {
        let fleet = try await MotoFleet()
        let host = try await fleet.user()
        let create = await #expect(throws: AWSServiceError.self) {
            _ = try await fleet.dynamo.createTable(MotoServer.uniqueName("keyrotd-fleet"), credentials: host)
        }
        #expect(create?.code == .accessDenied)
        let table = try await fleet.table()
        let reader = try await fleet.user(allowing: MotoFleet.hostActions.filter { $0 != "dynamodb:UpdateItem" })
        let update = await #expect(throws: AWSServiceError.self) {
            _ = try await fleet.dynamo.updateItem(table, key: ["pk": .string("lease")], update: DynamoDBExpression("SET a = :a", values: [":a": .integer(1)]),
                                                  credentials: reader)
        }
        #expect(update?.code == .accessDenied)
    }
}

/// TransactWriteItems as the protocol's apply registration uses it: a condition on the lease
/// record and an update of the member's own item, both or neither.
@Suite(.enabled(if: MotoServer.shouldRun, Comment(rawValue: Repository.skipReason)))
struct MotoTransactionTests {
    @Test func aRegistrationAppliesOnlyWhileTheRecordSaysPendingForThatRotation() async throws {
        let fleet = try await MotoFleet()
        // moto authorizes the call as dynamodb:TransactWriteItems; AWS authorizes each item's own
        // action (dynamodb:ConditionCheckItem, dynamodb:UpdateItem).
        let host = try await fleet.user(allowing: MotoFleet.hostActions + ["dynamodb:TransactWriteItems"])
        let table = try await fleet.table()
        let lease: DynamoDBItem = ["pk": .string("lease")], member: DynamoDBItem = ["pk": .string("member#a")]
        try await fleet.dynamo.putItem(table, item: lease.merging(["phase": .string("pending"), "rotation": .integer(3)]) { $1 }, credentials: host)
        func register(_ rotation: Int64) -> [DynamoDBTransactItem] {
            [.conditionCheck(table: table, key: lease, condition: DynamoDBExpression("phase = :pending AND rotation = :r",
                                                                                  values: [":pending": .string("pending"), ":r": .integer(rotation)])),
             .update(table: table, key: member, update: DynamoDBExpression("SET applying = :r", values: [":r": .integer(rotation)]))]
        }

        let stale = await #expect(throws: AWSServiceError.self) {
            try await fleet.dynamo.transactWriteItems(register(2), token: "register-a-2", credentials: host)
        }
        #expect(stale?.code == .transactionCanceled)
        #expect(stale?.cancellationReasons == ["ConditionalCheckFailed", "None"])
        #expect(try await fleet.dynamo.getItem(table, key: member, credentials: host) == nil, "neither write applied")

        try await fleet.dynamo.transactWriteItems(register(3), token: "register-a-3", credentials: host)
        #expect(try await fleet.dynamo.getItem(table, key: member, credentials: host)?["applying"] == .integer(3))
    }
}
