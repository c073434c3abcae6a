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

/// Everything one signing produced; the intermediate texts exist so tests can compare them exactly.
/// Contains no secret: the signature is derived and only valid for this one request.
public struct SigV4Signature: Sendable, Hashable {
    /// The texts as bytes; the `String` forms are made only when asked for (tests, diagnostics).
    let canonicalRequestBytes: [UInt8]
    let stringToSignBytes: [UInt8]
    public var canonicalRequest: String { String(decoding: canonicalRequestBytes, as: UTF8.self) }
    public var stringToSign: String { String(decoding: stringToSignBytes, as: UTF8.self) }
    /// Lowercase hex HMAC-SHA256.
    public let signature: String
    /// `host;x-amz-date` …, sorted lowercase names.
    public let signedHeaders: String
    /// The value of the `Authorization` header.
    public let authorization: String
    /// The `X-Amz-Date` value used (`20150830T123600Z`).
    public let amzDate: String
}
