import Crypto
import FoundationEssentials
import KeyrotCore

/// AWS Signature Version 4 (header signing, `AWS4-HMAC-SHA256`).
///
/// A pure function of its inputs: the time is a parameter (the caller reads it from its clock),
/// and nothing is kept between requests; the signing key derived from a secret lives only while
/// one request is signed. Speed is not a goal (a rotation signs about twenty requests), so each
/// step is plain string building around swift-crypto's `HMAC<SHA256>`.
public struct SigV4Signer: Sendable {
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// Hash of the empty body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    private let normalizePath: Bool

    /// - Parameter normalizePath: remove `.`/`..`/empty path segments before encoding (every service but S3).
    public init(normalizePath: Bool = true) {
        self.normalizePath = normalizePath
    }

    public static func payloadHash(_ body: some DataProtocol) -> String {
        Hex.lowercase(SHA256.hash(data: body))
    }

    public static func payloadHash(_ body: String) -> String {
        payloadHash(Array(body.utf8))
    }

    /// Signs `request` at `date`.
    ///
    /// The signer adds `X-Amz-Date` (unless the request already carries one, whose value is then
    /// used) and, when the credentials have a session token and `signSessionToken` is true,
    /// `X-Amz-Security-Token`; both are signed. ``SigV4Signature/authorization`` goes into the
    /// `Authorization` header; ``headersToAdd(for:credentials:)`` lists every header the request must gain.
    public func sign(
        _ request: SigV4Request, credentials: Credentials, scope: SigningScope, date: Date,
        signSessionToken: Bool = true
    ) -> SigV4Signature {
        var headers = request.headers
        let timestamp: String
        if let existing = headers.first(where: { Canonicalization.lowercased($0.name) == "x-amz-date" }) {
            timestamp = existing.value
        } else {
            timestamp = AMZDate(date).timestamp
            headers.append(HTTPHeaderField(name: "X-Amz-Date", value: timestamp))
        }
        if signSessionToken, let token = credentials.sessionToken,
           !headers.contains(where: { Canonicalization.lowercased($0.name) == "x-amz-security-token" }) {
            headers.append(HTTPHeaderField(name: "X-Amz-Security-Token", value: token.revealed()))
        }

        let canonicalHeaders = Canonicalization.headers(headers)
        let canonicalRequest = [
            request.method,
            Canonicalization.path(request.path, normalize: normalizePath),
            Canonicalization.query(request.query),
            canonicalHeaders.block,
            canonicalHeaders.signedHeaders,
            request.payloadHash,
        ].joined(separator: "\n")

        let day = String(timestamp.prefix(AMZDate.dayLength))
        let credentialScope = [day, scope.region, scope.service, "aws4_request"].joined(separator: "/")
        let stringToSign = [
            Self.algorithm, timestamp, credentialScope, Hex.lowercase(SHA256.hash(data: Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")

        let key = Self.signingKey(secret: credentials.secretAccessKey, day: day, scope: scope)
        let signature = Hex.lowercase(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        let authorization = "\(Self.algorithm) Credential=\(credentials.accessKeyID.rawValue)/\(credentialScope), "
            + "SignedHeaders=\(canonicalHeaders.signedHeaders), Signature=\(signature)"
        return SigV4Signature(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
            signedHeaders: canonicalHeaders.signedHeaders, authorization: authorization, amzDate: timestamp)
    }

    /// The headers a request must gain after ``sign(_:credentials:scope:date:signSessionToken:)``:
    /// `X-Amz-Date`, `X-Amz-Security-Token` (if any) and `Authorization`.
    public static func headersToAdd(for signature: SigV4Signature, credentials: Credentials) -> [HTTPHeaderField] {
        var fields = [HTTPHeaderField(name: "X-Amz-Date", value: signature.amzDate)]
        if let token = credentials.sessionToken {
            fields.append(HTTPHeaderField(name: "X-Amz-Security-Token", value: token.revealed()))
        }
        fields.append(HTTPHeaderField(name: "Authorization", value: signature.authorization))
        return fields
    }

    /// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`.
    private static func signingKey(secret: Secret, day: String, scope: SigningScope) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(secret.revealed())".utf8))
        for part in [day, scope.region, scope.service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        return key
    }
}
