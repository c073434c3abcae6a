// libFuzzer harness for the credential file readers; built by scripts/fuzz-files together with the
// sources of CredentialFiles, DurableFS and KeyrotCore as one module (so it may use internals).
// The format comes from KEYROTD_FUZZ_FORMAT (yaml, json, aws-credentials, env).
import Glibc

private let format: CredentialFileSpec.Format = {
    let name = getenv("KEYROTD_FUZZ_FORMAT").map { String(cString: $0) } ?? "yaml"
    guard let format = CredentialFileSpec.Format(rawValue: name) else { fatalError("unknown KEYROTD_FUZZ_FORMAT \(name)") }
    return format
}()

private let replacement = Credentials(accessKeyID: AccessKeyID("AKIAFUZZ000000000000"),
                                      secretAccessKey: Secret("fuzz/secret+000000000000000000000000000"))

/// Reads any input; for every pair found, rotates it and rotates it back. Where the old values were
/// written in the canonical form of their quoting style, the bytes must come back identical.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCredentialFileReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let spec = CredentialFileSpec(path: "/fuzz/input", format: format)
    guard let snapshot = try? CredentialFiles.parse(bytes, spec: spec) else { return 0 }
    guard !snapshot.pairs.contains(where: { $0.accessKeyID == replacement.accessKeyID }) else { return 0 }
    for (pair, located) in zip(snapshot.slots, snapshot.pairs) {
        let sameID = snapshot.slots.filter { $0.id.text == pair.id.text }
        guard let rotated = try? CredentialFiles.rewrite(snapshot, replacing: located.accessKeyID, with: replacement) else { continue }
        let canonical = sameID.allSatisfy { isCanonical($0.id, in: bytes) && isCanonical($0.secret, in: bytes) && $0.secret.text == pair.secret.text }
        let original = Credentials(accessKeyID: located.accessKeyID, secretAccessKey: Secret(pair.secret.text))
        guard let back = try? CredentialFiles.rewrite(rotated, replacing: replacement.accessKeyID, with: original) else {
            if canonical { fatalError("a rotated file could not be rotated back") }
            continue
        }
        if canonical, back.bytes != bytes { fatalError("rotating there and back changed the file") }
    }
    return 0
}

private func isCanonical(_ value: FoundValue, in bytes: [UInt8]) -> Bool {
    value.style.encode(value.text).map { Array($0.utf8) == Array(bytes[value.range]) } ?? false
}
