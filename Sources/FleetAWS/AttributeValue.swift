/// A DynamoDB attribute value in its wire form (`{"S": "..."}`, `{"N": "12"}`, ...): the types the
/// fleet's items use.
public enum AttributeValue: Sendable, Hashable {
    case string(String)
    /// A number, in DynamoDB's decimal text form.
    case number(String)
    case bool(Bool)
    case null
    case map([String: AttributeValue])
    case list([AttributeValue])

    public static func integer(_ value: Int64) -> AttributeValue { .number(String(value)) }

    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var integer: Int64? {
        if case .number(let text) = self { return Int64(text) }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var json: JSONValue {
        switch self {
        case .string(let text): .object(["S": .string(text)])
        case .number(let text): .object(["N": .string(text)])
        case .bool(let value): .object(["BOOL": .bool(value)])
        case .null: .object(["NULL": .bool(true)])
        case .map(let members): .object(["M": .object(members.mapValues(\.json))])
        case .list(let elements): .object(["L": .array(elements.map(\.json))])
        }
    }

    /// The value in `json`, or nil when it is not one of the types above.
    init?(json: JSONValue) {
        guard let members = json.object, members.count == 1, let (type, value) = members.first else { return nil }
        switch (type, value) {
        case ("S", .string(let text)): self = .string(text)
        case ("N", .string(let text)): self = .number(text)
        case ("BOOL", .bool(let flag)): self = .bool(flag)
        case ("NULL", _): self = .null
        case ("M", .object(let map)):
            var converted: [String: AttributeValue] = [:]
            for (name, element) in map {
                guard let attribute = AttributeValue(json: element) else { return nil }
                converted[name] = attribute
            }
            self = .map(converted)
        case ("L", .array(let elements)):
            let converted = elements.compactMap(AttributeValue.init(json:))
            guard converted.count == elements.count else { return nil }
            self = .list(converted)
        default: return nil
        }
    }
}

/// One DynamoDB item: attribute name → value.
public typealias DynamoDBItem = [String: AttributeValue]

extension Dictionary where Key == String, Value == AttributeValue {
    public var json: JSONValue { .object(mapValues(\.json)) }

    /// The item in `json`, or nil when an attribute has a type keyrotd does not use.
    public init?(json: JSONValue) {
        guard let members = json.object else { return nil }
        var item: [String: AttributeValue] = [:]
        for (name, value) in members {
            guard let attribute = AttributeValue(json: value) else { return nil }
            item[name] = attribute
        }
        self = item
    }
}

/// A condition, update or key-condition expression with its placeholders
/// (`#name` → attribute name, `:value` → value).
public struct DynamoDBExpression: Sendable, Hashable {
    public var text: String
    public var names: [String: String]
    public var values: DynamoDBItem

    public init(_ text: String, names: [String: String] = [:], values: DynamoDBItem = [:]) {
        self.text = text
        self.names = names
        self.values = values
    }
}
