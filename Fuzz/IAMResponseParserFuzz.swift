// libFuzzer harness for the IAM/STS XML answer reader (StrictXMLReader, ResponseElement, ResponseParsers,
// ErrorResponseParser); built by scripts/fuzz-config-xml together with those sources, the IAM models
// and KeyrotCore as one module. Any body must parse or be refused, never crash or hang, and a parsed
// CreateAccessKey answer must never show its secret in a description.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIAMResponseParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = ErrorResponseParser.parse(bytes)
    guard let root = ResponseElement.parse(bytes) else { return 0 }
    _ = ResponseParsers.accessKeys(root)
    _ = ResponseParsers.lastUsed(root)
    _ = ResponseParsers.user(root)
    _ = ResponseParsers.callerIdentity(root)
    if let created = ResponseParsers.createdKey(root) {
        let secret = created.credentials.secretAccessKey.revealed()
        if secret.count >= 4, "\(created)".contains(secret) || String(reflecting: created).contains(secret) {
            fatalError("a created key's description shows its secret")
        }
    }
    return 0
}
