import Foundation
import IAMClient
import KeyrotCore

/// A table as `DescribeTable` / `CreateTable` shows it.
public struct TableDescription: Sendable, Hashable {
    public let name: String
    public let arn: String?
    /// `CREATING`, `ACTIVE`, `UPDATING`, `DELETING`, ...
    public let status: String
    /// The partition key's name and attribute type (`S`), when the table has one.
    public let partitionKeyName: String?
    public let partitionKeyType: String?
}

/// The DynamoDB calls of fleet mode, over the JSON 1.0 protocol. Reads are strongly consistent;
/// every conditional write asks for the item as it was when the condition failed, so a loser
/// learns the winner's state from the failure (``AWSServiceError/itemAtFailure``).
public struct DynamoDBClient: Sendable {
    public let json: AWSJSONClient

    public init(json: AWSJSONClient) {
        precondition(json.service.targetPrefix == "DynamoDB_20120810", "a DynamoDB client needs the dynamodb service")
        self.json = json
    }

    /// Creates `table` with the string partition key `partitionKey`, billed on demand.
    public func createTable(_ table: String, partitionKey: String = "pk", credentials: Credentials) async throws -> TableDescription {
        let answer = try await json.perform("CreateTable", .object([
            "TableName": .string(table),
            "AttributeDefinitions": .array([.object(["AttributeName": .string(partitionKey), "AttributeType": .string("S")])]),
            "KeySchema": .array([.object(["AttributeName": .string(partitionKey), "KeyType": .string("HASH")])]),
            "BillingMode": .string("PAY_PER_REQUEST"),
        ]), credentials: credentials, idempotent: false)
        return try tableDescription(answer["TableDescription"], "CreateTable")
    }

    public func describeTable(_ table: String, credentials: Credentials) async throws -> TableDescription {
        let answer = try await json.perform("DescribeTable", .object(["TableName": .string(table)]), credentials: credentials)
        return try tableDescription(answer["Table"], "DescribeTable")
    }

    /// The item with `key`, read with `ConsistentRead`; nil when there is none.
    public func getItem(_ table: String, key: DynamoDBItem, credentials: Credentials) async throws -> DynamoDBItem? {
        let answer = try await json.perform("GetItem", .object([
            "TableName": .string(table), "Key": key.json, "ConsistentRead": .bool(true),
        ]), credentials: credentials)
        guard let found = answer["Item"] else { return nil }
        guard let item = DynamoDBItem(json: found) else { throw invalid("GetItem", "an item of known attribute types") }
        return item
    }

    /// Writes `item` whole, when `condition` (if any) holds.
    /// - Throws: ``AWSServiceError`` with `.conditionalCheckFailed` (and the old item) when it did not;
    ///   `.ambiguous` when a conditional write may have applied before the connection failed.
    public func putItem(_ table: String, item: DynamoDBItem, condition: DynamoDBExpression? = nil, credentials: Credentials) async throws {
        var payload: [String: JSONValue] = ["TableName": .string(table), "Item": item.json]
        Self.add(condition: condition, update: nil, to: &payload)
        _ = try await json.perform("PutItem", .object(payload), credentials: credentials, idempotent: condition == nil)
    }

    /// Applies `update` to the item with `key` (creating it when absent), when `condition` holds;
    /// returns the item as written (`ReturnValues = ALL_NEW`).
    /// - Throws: as ``putItem(_:item:condition:credentials:)``.
    @discardableResult
    public func updateItem(_ table: String, key: DynamoDBItem, update: DynamoDBExpression, condition: DynamoDBExpression? = nil,
                           credentials: Credentials) async throws -> DynamoDBItem {
        var payload: [String: JSONValue] = ["TableName": .string(table), "Key": key.json, "ReturnValues": .string("ALL_NEW")]
        Self.add(condition: condition, update: update, to: &payload)
        // An update (a counter, a new rvn) repeated after an unknown outcome could apply twice.
        let answer = try await json.perform("UpdateItem", .object(payload), credentials: credentials, idempotent: false)
        guard let item = answer["Attributes"].flatMap(DynamoDBItem.init(json:)) else { throw invalid("UpdateItem", "Attributes") }
        return item
    }

    /// Deletes the item with `key` when `condition` (if any) holds; deleting an absent item succeeds.
    public func deleteItem(_ table: String, key: DynamoDBItem, condition: DynamoDBExpression? = nil, credentials: Credentials) async throws {
        var payload: [String: JSONValue] = ["TableName": .string(table), "Key": key.json]
        Self.add(condition: condition, update: nil, to: &payload)
        _ = try await json.perform("DeleteItem", .object(payload), credentials: credentials, idempotent: condition == nil)
    }

    /// Every item matching `keyCondition`, read consistently, following pagination.
    public func query(_ table: String, keyCondition: DynamoDBExpression, credentials: Credentials) async throws -> [DynamoDBItem] {
        var items: [DynamoDBItem] = []
        var startKey: JSONValue?
        repeat {
            var payload: [String: JSONValue] = [
                "TableName": .string(table), "KeyConditionExpression": .string(keyCondition.text), "ConsistentRead": .bool(true),
            ]
            if !keyCondition.names.isEmpty { payload["ExpressionAttributeNames"] = .object(keyCondition.names.mapValues(JSONValue.string)) }
            if !keyCondition.values.isEmpty { payload["ExpressionAttributeValues"] = keyCondition.values.json }
            if let startKey { payload["ExclusiveStartKey"] = startKey }
            let answer = try await json.perform("Query", .object(payload), credentials: credentials)
            guard let page = answer["Items"]?.array else { throw invalid("Query", "Items") }
            for element in page {
                guard let item = DynamoDBItem(json: element) else { throw invalid("Query", "items of known attribute types") }
                items.append(item)
            }
            startKey = answer["LastEvaluatedKey"]
        } while startKey != nil
        return items
    }

    /// Applies every write of `items` or none (`TransactWriteItems`): a failed condition of any item
    /// cancels all. `token` (a `ClientRequestToken`, 1 to 36 characters) makes a repeat within ten
    /// minutes a no-op, so the call is retried like an idempotent one; without it, it is not.
    /// - Throws: ``AWSServiceError`` with `.transactionCanceled` and each item's
    ///   ``AWSServiceError/cancellationReasons``.
    public func transactWriteItems(_ items: [DynamoDBTransactItem], token: String? = nil, credentials: Credentials) async throws {
        var payload: [String: JSONValue] = ["TransactItems": .array(items.map(\.json))]
        if let token { payload["ClientRequestToken"] = .string(token) }
        _ = try await json.perform("TransactWriteItems", .object(payload), credentials: credentials, idempotent: token != nil)
    }

    /// Adds the expressions and their merged placeholders; a condition also asks for the old item on failure.
    static func add(condition: DynamoDBExpression?, update: DynamoDBExpression?, to payload: inout [String: JSONValue]) {
        var names: [String: String] = [:]
        var values: DynamoDBItem = [:]
        if let update {
            payload["UpdateExpression"] = .string(update.text)
            names.merge(update.names) { first, _ in first }
            values.merge(update.values) { first, _ in first }
        }
        if let condition {
            payload["ConditionExpression"] = .string(condition.text)
            payload["ReturnValuesOnConditionCheckFailure"] = .string("ALL_OLD")
            names.merge(condition.names) { first, _ in first }
            values.merge(condition.values) { first, _ in first }
        }
        if !names.isEmpty { payload["ExpressionAttributeNames"] = .object(names.mapValues(JSONValue.string)) }
        if !values.isEmpty { payload["ExpressionAttributeValues"] = values.json }
    }

    private func tableDescription(_ description: JSONValue?, _ operation: String) throws -> TableDescription {
        guard let description, let name = description["TableName"]?.string, let status = description["TableStatus"]?.string else {
            throw invalid(operation, "TableName and TableStatus")
        }
        let hashKey = description["KeySchema"]?.array?.first { $0["KeyType"]?.string == "HASH" }?["AttributeName"]?.string
        let keyType = description["AttributeDefinitions"]?.array?.first { $0["AttributeName"]?.string == hashKey }?["AttributeType"]?.string
        return TableDescription(name: name, arn: description["TableArn"]?.string, status: status,
                                partitionKeyName: hashKey, partitionKeyType: keyType)
    }

    private func invalid(_ operation: String, _ missing: String) -> AWSServiceError {
        let endpoint = json.service.endpoint
        return AWSServiceError(.invalidResponse, detail: "the answer lacks \(missing)")
            .during(operation, service: endpoint.signingService, endpoint: endpoint.url.absoluteString)
    }
}
