import DurableFS
import KeyrotCore

/// Reading, rewriting and writing the files that hold the key, format-preserving.
///
/// `read` and `write` are the only calls that touch the file; `rewrite` is pure.
public enum CredentialFiles {
    /// Reads the file and finds its credential pairs (refusing files that must not be rewritten).
    public static func read(_ spec: CredentialFileSpec) throws(CredentialFileError) -> CredentialFileSnapshot {
        let bytes: [UInt8]
        do { bytes = try DurableFS.read(spec.path) } catch { throw CredentialFileError(error) }
        return try parse(bytes, spec: spec)
    }

    /// Finds the credential pairs in `bytes` as if they were the content of `spec`'s file.
    public static func parse(_ bytes: [UInt8], spec: CredentialFileSpec) throws(CredentialFileError) -> CredentialFileSnapshot {
        try CredentialFileSnapshot(spec: spec, bytes: bytes, slots: try locate(bytes, spec: spec))
    }

    /// The snapshot's content with every pair holding `old` changed to `new` and nothing else;
    /// verified by parsing the result. Pure: no I/O.
    public static func rewrite(_ snapshot: CredentialFileSnapshot, replacing old: AccessKeyID, with new: Credentials) throws(CredentialFileError) -> CredentialFileSnapshot {
        let path = snapshot.spec.path
        let matching = snapshot.slots.indices.filter { snapshot.slots[$0].id.text == old.rawValue }
        guard !matching.isEmpty else {
            let held = snapshot.pairs.map(\.accessKeyID.rawValue).joined(separator: ", ")
            throw CredentialFileError(code: .keyNotFound, path: path,
                                      message: "holds no pair with access key id \(old) (it holds: \(held.isEmpty ? "none" : held)); check the files: entry or update the file by hand")
        }
        var edits: [(range: Range<Int>, text: String)] = []
        var replaced: [Int: String] = [:]
        for index in matching {
            let pair = snapshot.slots[index]
            for (value, text, what) in [(pair.id, new.accessKeyID.rawValue, "access key id"), (pair.secret, new.secretAccessKey.revealed(), "secret")] {
                guard let encoded = value.style.encode(text) else {
                    throw CredentialFileError(code: .unsupportedValue, path: path, line: value.line,
                                              message: "the new \(what) cannot be written in this value's quoting style; change the quotes by hand")
                }
                edits.append((value.range, encoded))
                replaced[value.range.lowerBound] = text
            }
        }
        var bytes = snapshot.bytes
        for edit in edits.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            bytes.replaceSubrange(edit.range, with: Array(edit.text.utf8))
        }
        let result = try verifiedParse(bytes, spec: snapshot.spec)
        try requireReplaced(original: snapshot, result: result, matching: Set(matching), new: new)
        try verifyStructure(old: snapshot.bytes, new: bytes, replaced: replaced, spec: snapshot.spec)
        return result
    }

    /// Writes `rewritten` over the file atomically, refusing when the file no longer holds what
    /// `original` read; then reads the file back and checks it holds exactly `rewritten`'s pairs.
    public static func write(_ rewritten: CredentialFileSnapshot, over original: CredentialFileSnapshot) throws(CredentialFileError) {
        do {
            try DurableFS.replace(original.spec.path, with: rewritten.bytes, ifDigestIs: original.digest)
        } catch {
            throw CredentialFileError(error)
        }
        let readBack = try read(original.spec)
        guard readBack.digest == rewritten.digest, readBack.pairs == rewritten.pairs else {
            throw CredentialFileError(code: .verificationFailed, path: original.spec.path,
                                      message: "after writing, the file does not hold the new pair at every place the old one was (was it changed meanwhile?); restore it from the backup")
        }
    }

    private static func locate(_ bytes: [UInt8], spec: CredentialFileSpec) throws(CredentialFileError) -> [FoundPair] {
        switch spec.format {
        case .yaml: return try YAMLLocator.locate(bytes, spec: spec)
        case .json: return try JSONLocator.locate(bytes, spec: spec)
        case .awsCredentials: return try AWSCredentialsLocator.locate(bytes, spec: spec)
        case .env: return try EnvFileLocator.locate(bytes, spec: spec)
        }
    }

    private static func verifiedParse(_ bytes: [UInt8], spec: CredentialFileSpec) throws(CredentialFileError) -> CredentialFileSnapshot {
        do {
            return try parse(bytes, spec: spec)
        } catch {
            throw CredentialFileError(code: .verificationFailed, path: spec.path, line: error.line,
                                      message: "the edited content does not read back (\(error.code.rawValue)); nothing was written")
        }
    }

    /// The result holds the new pair where the old one was and the same pairs everywhere else.
    private static func requireReplaced(original: CredentialFileSnapshot, result: CredentialFileSnapshot, matching: Set<Int>, new: Credentials) throws(CredentialFileError) {
        let expected = original.pairs.indices.map { index in
            let pair = original.pairs[index]
            guard matching.contains(index) else { return pair }
            return LocatedCredentialPair(accessKeyID: new.accessKeyID, secretAccessKey: new.secretAccessKey, line: pair.line)
        }
        guard result.pairs == expected else {
            throw CredentialFileError(code: .verificationFailed, path: original.spec.path,
                                      message: "the edited content does not hold the new pair exactly where the old one was; nothing was written")
        }
    }

    private static func verifyStructure(old: [UInt8], new: [UInt8], replaced: [Int: String], spec: CredentialFileSpec) throws(CredentialFileError) {
        switch spec.format {
        case .yaml: try YAMLLocator.verify(old: old, new: new, replaced: replaced, path: spec.path)
        case .json: try JSONLocator.verify(old: old, new: new, replaced: replaced, path: spec.path)
        case .awsCredentials, .env: return
        }
    }
}
