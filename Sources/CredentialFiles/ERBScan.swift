/// A lexical look at credential lines, for files that do not parse before their ERB is rendered:
/// a credential key whose value is ERB is refused as ERB (with the variable it reads), not as a
/// syntax error.
enum ERBScan {
    static func refuseCredentialERB(in bytes: [UInt8], path: String) throws(CredentialFileError) {
        for line in LineScanner.lines(of: bytes) {
            let text = LineScanner.text(bytes, line.start..<line.end).trimmedOfSpaces
            for key in YAMLLocator.idKeys.union(YAMLLocator.secretKeys) where text.hasPrefix(key + ":") {
                let value = String(text.dropFirst(key.count + 1))
                if value.contains("<%") { try ValueScreen.check(value, key: key, line: line.number, path: path) }
            }
        }
    }
}
