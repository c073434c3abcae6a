/// Everything one signing produced; the intermediate texts exist so tests can compare them exactly.
/// Contains no secret: the signature is derived and only valid for this one request.
public struct SigV4Signature: Sendable, Hashable {
    /// The canonical request, the string to sign and the `Authorization` value back to back, as the
    /// signer wrote them into one allocation. The public texts are cut out of it only when asked for:
    /// a request needs just ``authorization`` and ``amzDate`` (see ``SigV4Signer/headersToAdd(for:credentials:)``).
    let text: [UInt8]
    let stringToSignStart: Int
    let authorizationStart: Int
    let signedHeadersRange: Range<Int>
    let amzDateRange: Range<Int>

    /// Number of hex digits of a signature, the end of ``authorization``.
    static let signatureLength = 64

    public var canonicalRequest: String { string(0..<stringToSignStart) }
    public var stringToSign: String { string(stringToSignStart..<authorizationStart) }
    /// Lowercase hex HMAC-SHA256.
    public var signature: String { string(text.count - Self.signatureLength..<text.count) }
    /// `host;x-amz-date` …, sorted lowercase names.
    public var signedHeaders: String { string(signedHeadersRange) }
    /// The value of the `Authorization` header.
    public var authorization: String { string(authorizationStart..<text.count) }
    /// The `X-Amz-Date` value used (`20150830T123600Z`).
    public var amzDate: String { string(amzDateRange) }

    private func string(_ range: Range<Int>) -> String {
        text.withUnsafeBufferPointer { String(decoding: $0[range], as: UTF8.self) }
    }
}
