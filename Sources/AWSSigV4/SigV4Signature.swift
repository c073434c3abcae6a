/// Everything one signing produced; the intermediate texts are kept so tests can compare them
/// exactly. Contains no secret: the signature is derived and valid for this one request only.
public struct SigV4Signature: Sendable, Hashable {
    public let canonicalRequest: String
    public let stringToSign: String
    /// Lowercase hex HMAC-SHA256.
    public let signature: String
    /// `host;x-amz-date` …, sorted lowercase names.
    public let signedHeaders: String
    /// The value of the `Authorization` header.
    public let authorization: String
    /// The `X-Amz-Date` value used (`20150830T123600Z`).
    public let amzDate: String
}
