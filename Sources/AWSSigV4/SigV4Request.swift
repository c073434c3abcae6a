/// One HTTP header as it will be sent (name in any case, value untrimmed).
public struct HTTPHeaderField: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The parts of an HTTP request that SigV4 signs.
///
/// `path` and `query` are the raw (not yet canonicalised) forms from the request line, e.g.
/// `/example space/` and `Param2=value2&Param1=value1`; the signer encodes them.
public struct SigV4Request: Sendable, Hashable {
    public var method: String
    public var path: String
    public var query: String
    public var headers: [HTTPHeaderField]
    /// Lowercase hex SHA-256 of the body (``SigV4Signer/payloadHash(_:)``).
    public var payloadHash: String

    public init(method: String, path: String = "/", query: String = "", headers: [HTTPHeaderField], payloadHash: String) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payloadHash = payloadHash
    }
}

/// Where a signature is valid: the credential scope's region and service (e.g. `us-east-1`, `iam`).
public struct SigningScope: Sendable, Hashable {
    public var region: String
    public var service: String

    public init(region: String, service: String) {
        self.region = region
        self.service = service
    }
}
