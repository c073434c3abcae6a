import Crypto
import Foundation
import KeyrotCore
import Synchronization

/// AWS Signature Version 4 (header signing, `AWS4-HMAC-SHA256`).
///
/// Pure apart from its signing-key cache: the time is always a parameter. The derived key for a
/// (secret, day, region, service) is cached, so signing many requests in one day costs one HMAC
/// chain per request instead of five. Safe to share between tasks.
public final class SigV4Signer: Sendable {
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// Hash of the empty body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    private struct CacheKey: Hashable, Sendable {
        let secret: Secret
        let day: String
        let scope: SigningScope
    }

    /// Keys of a few credentials × days × scopes at most; cleared when it grows past this.
    private static let cacheLimit = 64
    /// Derived keys as raw bytes (`SymmetricKey` is not `Sendable`).
    private let keyCache = Mutex<[CacheKey: [UInt8]]>([:])
    private let normalizePath: Bool

    /// - Parameter normalizePath: remove `.`/`..`/empty path segments before encoding (every service but S3).
    public init(normalizePath: Bool = true) {
        self.normalizePath = normalizePath
    }

    public static func payloadHash(_ body: some DataProtocol) -> String {
        Hex.encode(SHA256.hash(data: body))
    }

    public static func payloadHash(_ body: String) -> String {
        Hex.encode(SHA256.hash(data: Array(body.utf8)))
    }

    /// Signs `request` at `date`.
    ///
    /// The signer adds `X-Amz-Date` (unless the request already carries one) and, when the credentials
    /// have a session token and `signSessionToken` is true, `X-Amz-Security-Token`; both are signed.
    /// ``SigV4Signature/authorization`` goes into the `Authorization` header; ``headersToAdd(for:credentials:)``
    /// lists every header the request must gain.
    public func sign(
        _ request: SigV4Request, credentials: Credentials, scope: SigningScope, date: Date,
        signSessionToken: Bool = true
    ) -> SigV4Signature {
        let amzDate = AMZDate(date)
        var headers = request.headers
        let existingDate = headers.first { $0.name.lowercased() == "x-amz-date" }
        if existingDate == nil {
            headers.append(HTTPHeaderField(name: "X-Amz-Date", value: amzDate.timestamp))
        }
        if signSessionToken, let token = credentials.sessionToken,
           !headers.contains(where: { $0.name.lowercased() == "x-amz-security-token" }) {
            headers.append(HTTPHeaderField(name: "X-Amz-Security-Token", value: token.revealed()))
        }
        let timestamp = existingDate?.value ?? amzDate.timestamp
        let day = String(timestamp.prefix(8))
        let (headerBlock, signedHeaders) = Canonicalization.headers(headers)
        let canonicalRequest = request.method + "\n"
            + Canonicalization.path(request.path, normalize: normalizePath) + "\n"
            + Canonicalization.query(request.query) + "\n"
            + headerBlock + "\n"
            + signedHeaders + "\n"
            + request.payloadHash
        let credentialScope = day + "/" + scope.region + "/" + scope.service + "/aws4_request"
        let stringToSign = Self.algorithm + "\n" + timestamp + "\n" + credentialScope + "\n"
            + Hex.encode(SHA256.hash(data: Array(canonicalRequest.utf8)))
        let key = signingKey(secret: credentials.secretAccessKey, day: day, scope: scope)
        let signature = Hex.encode(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        let authorization = Self.algorithm + " Credential=" + credentials.accessKeyID.rawValue + "/" + credentialScope
            + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature
        return SigV4Signature(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
            signedHeaders: signedHeaders, authorization: authorization, amzDate: timestamp)
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

    /// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`, cached.
    func signingKey(secret: Secret, day: String, scope: SigningScope) -> SymmetricKey {
        let cacheKey = CacheKey(secret: secret, day: day, scope: scope)
        if let cached = keyCache.withLock({ $0[cacheKey] }) {
            return SymmetricKey(data: cached)
        }
        let derived = Self.deriveSigningKey(secret: secret, day: day, scope: scope)
        let bytes = derived.withUnsafeBytes { Array($0) }
        keyCache.withLock { cache in
            if cache.count >= Self.cacheLimit { cache.removeAll() }
            cache[cacheKey] = bytes
        }
        return derived
    }

    static func deriveSigningKey(secret: Secret, day: String, scope: SigningScope) -> SymmetricKey {
        var key = SymmetricKey(data: Array(("AWS4" + secret.revealed()).utf8))
        for part in [day, scope.region, scope.service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        return key
    }
}
