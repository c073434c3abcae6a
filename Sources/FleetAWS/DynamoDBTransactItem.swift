/// One write of a `TransactWriteItems` call.
public enum DynamoDBTransactItem: Sendable, Hashable {
    /// Writes nothing; cancels the transaction unless `condition` holds for the item with `key`.
    case conditionCheck(table: String, key: DynamoDBItem, condition: DynamoDBExpression)
    case update(table: String, key: DynamoDBItem, update: DynamoDBExpression, condition: DynamoDBExpression? = nil)
    case put(table: String, item: DynamoDBItem, condition: DynamoDBExpression? = nil)
    case delete(table: String, key: DynamoDBItem, condition: DynamoDBExpression? = nil)

    var json: JSONValue {
        var member: [String: JSONValue]
        let name: String
        switch self {
        case .conditionCheck(let table, let key, let condition):
            name = "ConditionCheck"
            member = ["TableName": .string(table), "Key": key.json]
            DynamoDBClient.add(condition: condition, update: nil, to: &member)
        case .update(let table, let key, let update, let condition):
            name = "Update"
            member = ["TableName": .string(table), "Key": key.json]
            DynamoDBClient.add(condition: condition, update: update, to: &member)
        case .put(let table, let item, let condition):
            name = "Put"
            member = ["TableName": .string(table), "Item": item.json]
            DynamoDBClient.add(condition: condition, update: nil, to: &member)
        case .delete(let table, let key, let condition):
            name = "Delete"
            member = ["TableName": .string(table), "Key": key.json]
            DynamoDBClient.add(condition: condition, update: nil, to: &member)
        }
        return .object([name: .object(member)])
    }
}
