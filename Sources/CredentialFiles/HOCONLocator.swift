import KeyrotCore

/// HOCON files (Snowplow's stream collector, Stream Enrich, loaders): the pair is two sibling
/// settings `accessKey`/`secretKey` (or `access-key`/`secret-key`) anywhere in the tree, or the two
/// paths a file entry names. Every pair is checked for what HOCON's merge rules make of it: a setting
/// made twice, an environment override, an include that could replace it.
enum HOCONLocator {
    static let keyFamilies = [("accessKey", "secretKey"), ("access-key", "secret-key")]

    static func parse(_ bytes: [UInt8], path: String) throws(CredentialFileError) -> HOCONDocument {
        do {
            return try HOCONDocument.parse(bytes)
        } catch {
            throw CredentialFileError(code: .unparsable, path: path, line: error.line,
                                      message: "is not valid HOCON (\(error.problem)); fix the file first")
        }
    }

    static func locate(_ bytes: [UInt8], spec: CredentialFileSpec) throws(CredentialFileError) -> [FoundPair] {
        let document = try parse(bytes, path: spec.path)
        var pairs: [FoundPair] = []
        for (idPath, secretPath) in try candidatePaths(document, spec: spec) {
            pairs += try HOCONPairResolver(document: document, path: spec.path).pairs(idPath: idPath, secretPath: secretPath)
        }
        let includes = document.settings.compactMap { setting -> (name: String, line: Int)? in
            guard case let .include(name) = setting.value else { return nil }
            return (name, setting.line)
        }
        if pairs.isEmpty, let include = includes.first {
            throw CredentialFileError(code: .ambiguous, path: spec.path, line: include.line,
                                      message: "holds no access key setting of its own but includes \"\(include.name)\", which may hold it; add the included file as its own files: entry instead")
        }
        return pairs
    }

    /// The (access key, secret key) setting paths to look at: the spec's two, or every object that
    /// sets one of Snowplow's key names, in file order.
    private static func candidatePaths(_ document: HOCONDocument, spec: CredentialFileSpec) throws(CredentialFileError) -> [([String], [String])] {
        if let idText = spec.accessKeyPath, let secretText = spec.secretKeyPath {
            guard let idPath = HOCONDocument.path(idText), let secretPath = HOCONDocument.path(secretText) else {
                throw CredentialFileError(code: .unsupportedValue, path: spec.path,
                                          message: "access_key_path or secret_key_path is not a HOCON path; write it dotted, such as collector.streams.sink.aws.accessKey")
            }
            return [(idPath, secretPath)]
        }
        var candidates: [([String], [String])] = []
        for setting in document.settings {
            guard let name = setting.path.last else { continue }
            let parent = Array(setting.path.dropLast())
            for (idName, secretName) in keyFamilies where name == idName || name == secretName {
                let candidate = (parent + [idName], parent + [secretName])
                if !candidates.contains(where: { $0 == candidate }) { candidates.append(candidate) }
            }
        }
        return candidates
    }

    /// Checks that `new` is `old` with exactly the strings at `replaced` (by value start) changed to
    /// the given texts: the same settings in the same order, with the same values.
    static func verify(old: [UInt8], new: [UInt8], replaced: [Int: String], path: String) throws(CredentialFileError) {
        let expected = try parse(old, path: path).settings.map { setting -> String in
            guard case let .string(value) = setting.value, let text = replaced[value.range.lowerBound] else { return comparable(setting) }
            return comparable(setting, text: text)
        }
        guard try parse(new, path: path).settings.map({ comparable($0) }) == expected else {
            throw CredentialFileError(code: .verificationFailed, path: path,
                                      message: "the edited HOCON does not parse to the same settings with only the key changed; nothing was written")
        }
    }

    /// A setting without positions or quoting: what a HOCON reader sees.
    private static func comparable(_ setting: HOCONSetting, text: String? = nil) -> String {
        let value: String
        switch setting.value {
        case let .string(found): value = "string " + (text ?? found.text)
        case let .substitution(name, optional): value = "substitution \(optional ? "?" : "")\(name)"
        case .placeholder: value = "placeholder"
        case .object: value = "object"
        case .array: value = "array"
        case let .include(name): value = "include \(name)"
        case let .other(summary): value = "other \(summary)"
        }
        return "\(setting.path.joined(separator: "\u{0}"))\u{1}\(setting.appends)\u{1}\(value)"
    }
}

/// Which values an unquoted HOCON string can be written as without changing what it reads as.
enum HOCONUnquoted {
    /// A letter first (not a number), then letters, digits, `_`, `-`, `.`, single `/`; not a
    /// boolean or null word.
    static func canHold(_ value: String) -> Bool {
        guard let first = value.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic,
              !value.contains("//"), !["true", "false", "null", "yes", "no", "on", "off"].contains(value.lowercased()) else { return false }
        return value.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-./".unicodeScalars.contains($0)) }
    }
}

extension CredentialFileSpec {
    /// Whether `text` is a dotted HOCON path, as `access_key_path` and `secret_key_path` must be.
    public static func isHOCONPath(_ text: String) -> Bool { HOCONDocument.path(text) != nil }
}
