import KeyrotCore

/// The AWS shared credentials / config INI file: the pair in the section named by the spec's profile
/// (`[NAME]`, or `[profile NAME]` as in `~/.aws/config`).
enum AWSCredentialsLocator {
    static let idKey = "aws_access_key_id"
    static let secretKey = "aws_secret_access_key"

    private struct Section {
        var headerLine: Int
        var ids: [FoundValue] = []
        var secrets: [FoundValue] = []
    }

    static func locate(_ bytes: [UInt8], spec: CredentialFileSpec) throws(CredentialFileError) -> [FoundPair] {
        var sections: [Section] = []
        var inProfile = false
        for line in LineScanner.lines(of: bytes) {
            let text = LineScanner.text(bytes, line.start..<line.end)
            let trimmed = text.trimmedOfSpaces
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if trimmed.hasPrefix("[") {
                inProfile = sectionName(trimmed) == spec.profile
                if inProfile { sections.append(Section(headerLine: line.number)) }
                continue
            }
            guard inProfile, let equals = bytes[line.start..<line.end].firstIndex(of: UInt8(ascii: "=")) else { continue }
            let key = LineScanner.text(bytes, line.start..<equals).trimmedOfSpaces.lowercased()
            guard key == idKey || key == secretKey else { continue }
            var start = equals + 1
            while start < line.end, LineScanner.isBlank(bytes[start]) { start += 1 }
            var end = line.end
            while end > start, LineScanner.isBlank(bytes[end - 1]) { end -= 1 }
            guard end > start else {
                throw CredentialFileError(code: .unsupportedValue, path: spec.path, line: line.number,
                                          message: "\(key) in [\(spec.profile)] has no value on its line; put the key on the same line as \(key) =")
            }
            let value = FoundValue(range: start..<end, style: .plain, line: line.number, text: LineScanner.text(bytes, start..<end))
            if key == idKey { sections[sections.count - 1].ids.append(value) } else { sections[sections.count - 1].secrets.append(value) }
        }
        var pairs: [FoundPair] = []
        for section in sections {
            if let pair = try pair(in: section, spec: spec) { pairs.append(pair) }
        }
        return pairs
    }

    private static func pair(in section: Section, spec: CredentialFileSpec) throws(CredentialFileError) -> FoundPair? {
        for (key, values) in [(idKey, section.ids), (secretKey, section.secrets)] where values.count > 1 {
            throw CredentialFileError(code: .ambiguous, path: spec.path, line: values[1].line,
                                      message: "\(key) appears \(values.count) times in [\(spec.profile)]; keep one")
        }
        switch (section.ids.first, section.secrets.first) {
        case (nil, nil):
            return nil
        case let (id?, secret?):
            try ValueScreen.check(id.text, key: idKey, line: id.line, path: spec.path)
            try ValueScreen.check(secret.text, key: secretKey, line: secret.line, path: spec.path)
            return FoundPair(id: id, secret: secret)
        case let (id?, nil):
            throw CredentialFileError(code: .incompletePair, path: spec.path, line: id.line,
                                      message: "[\(spec.profile)] has \(idKey) but no \(secretKey); add it")
        case let (nil, secret?):
            throw CredentialFileError(code: .incompletePair, path: spec.path, line: secret.line,
                                      message: "[\(spec.profile)] has \(secretKey) but no \(idKey); add it")
        }
    }

    /// `default` for `[default]` and `[ default ]`; `NAME` for `[profile NAME]`.
    private static func sectionName(_ header: String) -> String {
        var inner = Substring(header.dropFirst())
        if let close = inner.firstIndex(of: "]") { inner = inner[..<close] }
        let name = inner.trimmedOfSpaces
        if name.hasPrefix("profile ") { return String(name.dropFirst("profile ".count)).trimmedOfSpaces }
        return name
    }
}
