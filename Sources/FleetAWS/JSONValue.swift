import Foundation

/// A JSON document as the JSON-protocol services send and receive it.
///
/// Answers may carry secrets (a `GetSecretValue` answer's `SecretString`), so a value never prints
/// its strings: `description` shows only its shape, and `dump`/`Mirror` show nothing.
public enum JSONValue: Sendable, Hashable, Codable, CustomStringConvertible, CustomReflectable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    public var array: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    public var object: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The document in `bytes`, or nil when they are not JSON.
    public static func parse(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// Compact UTF-8 JSON with sorted keys (a stable body: the same request signs the same).
    public func serialized() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a tree of strings, numbers and containers cannot fail.
        return Array((try? encoder.encode(self)) ?? Data("null".utf8))
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        case .array(let elements): try container.encode(elements)
        case .object(let members): try container.encode(members)
        }
    }

    /// The shape only: member names and kinds, never a string's content.
    public var description: String {
        switch self {
        case .string: "<string>"
        case .number: "<number>"
        case .bool: "<bool>"
        case .null: "null"
        case .array(let elements): "[\(elements.count) elements]"
        case .object(let members): "{\(members.keys.sorted().joined(separator: ", "))}"
        }
    }

    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .enum) }
}
