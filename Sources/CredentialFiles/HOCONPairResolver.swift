/// Decides what one pair of HOCON settings holds once HOCON's last-wins merge is applied, and
/// refuses (changing nothing) where no static key would be rotated or its effect is unclear.
struct HOCONPairResolver {
    let document: HOCONDocument
    let path: String

    /// The static values of one setting, in file order, and the optional overrides after the last one.
    private struct Resolved {
        let statics: [FoundValue]
        let overrides: [(name: String, line: Int)]
        let lastOffset: Int
    }

    /// The pairs the two settings hold: none when neither is set.
    func pairs(idPath: [String], secretPath: [String]) throws(CredentialFileError) -> [FoundPair] {
        let id = try resolve(idPath)
        let secret = try resolve(secretPath)
        switch (id, secret) {
        case (nil, nil):
            return []
        case let (id?, secret?):
            let idName = dotted(idPath), secretName = dotted(secretPath)
            guard id.statics.count == secret.statics.count else {
                throw CredentialFileError(code: .ambiguous, path: path, line: id.statics[0].line,
                                          message: "\(idName) is set \(id.statics.count) time(s) and \(secretName) \(secret.statics.count) time(s); set each once")
            }
            try refuseLaterReplacement(of: idPath, after: id.lastOffset)
            try refuseLaterReplacement(of: secretPath, after: secret.lastOffset)
            var notices = zip([idName, secretName], [id, secret]).flatMap { name, resolved -> [FileNotice] in
                resolved.overrides.map { FileNotice(.environmentOverride, "\(path):\($0.line): \(name) is followed by the optional override ${?\($0.name)}: when \($0.name) is set in the environment of the program reading this file, it wins over the rotated key") }
            }
            for value in secret.statics where value.style == .hoconUnquoted {
                notices.append(FileNotice(.writtenQuoted, "\(path):\(value.line): \(secretName) is unquoted; a new secret that unquoted HOCON cannot hold (with / or +) is written double-quoted"))
            }
            return zip(id.statics, secret.statics).map { FoundPair(id: $0, secret: $1, notices: notices) }
        case let (id?, nil):
            throw CredentialFileError(code: .incompletePair, path: path, line: id.statics.first?.line,
                                      message: "\(dotted(idPath)) has no \(dotted(secretPath)) next to it; add it")
        case let (nil, secret?):
            throw CredentialFileError(code: .incompletePair, path: path, line: secret.statics.first?.line,
                                      message: "\(dotted(secretPath)) has no \(dotted(idPath)) next to it; add it")
        }
    }

    private func dotted(_ components: [String]) -> String {
        components.map { component in
            component.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }
                ? component : "\"\(component)\""
        }.joined(separator: ".")
    }

    /// The setting's values; nil when it is not set at all.
    private func resolve(_ settingPath: [String]) throws(CredentialFileError) -> Resolved? {
        let name = dotted(settingPath)
        var statics: [FoundValue] = []
        var overrides: [(name: String, line: Int)] = []
        var lastOffset: Int?
        for setting in document.settings where setting.path == settingPath {
            lastOffset = setting.offset
            guard !setting.appends else {
                throw CredentialFileError(code: .unsupportedValue, path: path, line: setting.line,
                                          message: "\(name) is appended to with +=; set it with = to a single string")
            }
            switch setting.value {
            case let .string(value):
                guard !value.text.contains(where: \.isNewline) else {
                    throw CredentialFileError(code: .multiline, path: path, line: value.line,
                                              message: "\(name) is a \"\"\" string spread over several lines; write the key on one line")
                }
                try ValueScreen.check(value.text, key: name, line: value.line, path: path)
                statics.append(value)
                overrides = []
            case let .substitution(variable, optional: true):
                overrides.append((variable, setting.line))
            case let .substitution(variable, optional: false):
                throw CredentialFileError(code: .substitution, path: path, line: setting.line,
                                          message: "\(name) is the required substitution ${\(variable)}: the key comes from \(variable); rotate the file that sets it (an `env` files: entry for an environment variable) instead of this one")
            case .placeholder:
                throw CredentialFileError(code: .placeholder, path: path, line: setting.line,
                                          message: "\(name) is a {{...}} template placeholder; configure the rendered file or the template's data source instead")
            case .object, .array, .other, .include:
                throw CredentialFileError(code: .unsupportedValue, path: path, line: setting.line,
                                          message: "\(name) is not a single string; write the key as one quoted or unquoted string")
            }
        }
        guard let lastOffset else { return nil }
        guard let first = statics.first else {
            let variables = overrides.map(\.name).joined(separator: ", ")
            throw CredentialFileError(code: .substitution, path: path, line: overrides.first?.line,
                                      message: "\(name) is only the substitution ${?\(variables)}: the key comes from the environment; rotate the file that sets \(variables) (an `env` files: entry) instead of this one")
        }
        if let different = statics.first(where: { $0.text != first.text }) {
            throw CredentialFileError(code: .ambiguous, path: path, line: different.line,
                                      message: "\(name) is set to two different values (lines \(first.line) and \(different.line)); the last one wins, which readers of the file easily miss: keep one")
        }
        return Resolved(statics: statics, overrides: overrides, lastOffset: lastOffset)
    }

    /// Refuses when something after the setting can replace it: an include into an object on its
    /// path, or a non-object value set to one of its parents.
    private func refuseLaterReplacement(of settingPath: [String], after offset: Int) throws(CredentialFileError) {
        for setting in document.settings where setting.offset > offset && setting.path.count < settingPath.count
            && Array(settingPath.prefix(setting.path.count)) == setting.path {
            switch setting.value {
            case let .include(name):
                throw CredentialFileError(code: .ambiguous, path: path, line: setting.line,
                                          message: "includes \"\(name)\" after \(dotted(settingPath)), and the included file could set it; move the include before the key or rotate the included file as its own files: entry")
            case .object:
                continue
            default:
                throw CredentialFileError(code: .ambiguous, path: path, line: setting.line,
                                          message: "\(dotted(setting.path)) is set again after \(dotted(settingPath)), replacing the object that holds it; keep one")
            }
        }
    }
}
