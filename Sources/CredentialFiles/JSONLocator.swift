import KeyrotCore

/// JSON files: objects holding `accessKeyId`/`secretAccessKey` or `access_key_id`/`secret_access_key`,
/// at any depth.
enum JSONLocator {
    static let keyFamilies = [("accessKeyId", "secretAccessKey"), ("access_key_id", "secret_access_key")]

    static func parse(_ bytes: [UInt8], path: String) throws(CredentialFileError) -> JSONNode {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw CredentialFileError(code: .unparsable, path: path, line: error.line,
                                      message: "is not valid JSON (\(error.problem)); fix the file first")
        }
    }

    static func locate(_ bytes: [UInt8], spec: CredentialFileSpec) throws(CredentialFileError) -> [FoundPair] {
        var pairs: [FoundPair] = []
        try collect(parse(bytes, path: spec.path), into: &pairs, path: spec.path)
        return pairs
    }

    private static func collect(_ node: JSONNode, into pairs: inout [FoundPair], path: String) throws(CredentialFileError) {
        switch node {
        case let .object(members):
            for (idKey, secretKey) in keyFamilies {
                if let pair = try pair(in: members, idKey: idKey, secretKey: secretKey, path: path) { pairs.append(pair) }
            }
            for member in members { try collect(member.value, into: &pairs, path: path) }
        case let .array(elements):
            for element in elements { try collect(element, into: &pairs, path: path) }
        default:
            return
        }
    }

    private static func pair(in members: [JSONMember], idKey: String, secretKey: String, path: String) throws(CredentialFileError) -> FoundPair? {
        let ids = members.filter { $0.key == idKey }
        let secrets = members.filter { $0.key == secretKey }
        for (key, found) in [(idKey, ids), (secretKey, secrets)] where found.count > 1 {
            throw CredentialFileError(code: .ambiguous, path: path, line: found[1].keyLine,
                                      message: "\"\(key)\" appears \(found.count) times in one object; keep one")
        }
        switch (ids.first, secrets.first) {
        case (nil, nil):
            return nil
        case let (id?, secret?):
            return FoundPair(id: try value(of: id, path: path), secret: try value(of: secret, path: path))
        case let (id?, nil):
            throw CredentialFileError(code: .incompletePair, path: path, line: id.keyLine,
                                      message: "\"\(idKey)\" has no \"\(secretKey)\" next to it; add it")
        case let (nil, secret?):
            throw CredentialFileError(code: .incompletePair, path: path, line: secret.keyLine,
                                      message: "\"\(secretKey)\" has no \"\(idKey)\" next to it; add it")
        }
    }

    private static func value(of member: JSONMember, path: String) throws(CredentialFileError) -> FoundValue {
        guard case let .string(string) = member.value else {
            throw CredentialFileError(code: .unsupportedValue, path: path, line: member.keyLine,
                                      message: "\"\(member.key)\" is not a string; write the key as a JSON string")
        }
        try ValueScreen.check(string.text, key: member.key, line: string.line, path: path)
        return FoundValue(range: string.contentRange, style: .doubleQuoted, line: string.line, text: string.text)
    }

    /// Checks that `new` is `old` with exactly the strings at `replaced` (by content start) changed to the given texts.
    static func verify(old: [UInt8], new: [UInt8], replaced: [Int: String], path: String) throws(CredentialFileError) {
        let expected = substitute(try parse(old, path: path), replaced)
        guard try parse(new, path: path) == expected else {
            throw CredentialFileError(code: .verificationFailed, path: path,
                                      message: "the edited JSON does not parse to the same document with only the key changed; nothing was written")
        }
    }

    private static func substitute(_ node: JSONNode, _ replaced: [Int: String]) -> JSONNode {
        switch node {
        case let .object(members):
            return .object(members.map { JSONMember(key: $0.key, keyLine: $0.keyLine, value: substitute($0.value, replaced)) })
        case let .array(elements):
            return .array(elements.map { substitute($0, replaced) })
        case let .string(string):
            guard let text = replaced[string.contentRange.lowerBound] else { return node }
            return .string(JSONString(text: text, contentRange: string.contentRange, line: string.line))
        default:
            return node
        }
    }
}
