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
    /// An HMAC already keyed with a derived signing key, copied (never mutated) by each signing.
    /// `HMAC` is a value type with copy-on-write state, only not marked `Sendable`.
    private struct CachedKey: @unchecked Sendable {
        let keyed: HMAC<SHA256>
    }

    /// The most recently used key (checked by equality, cheaper than hashing) and all others.
    private let keyCache = Mutex<(last: (CacheKey, CachedKey)?, all: [CacheKey: CachedKey])>((nil, [:]))
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
        var headers = request.headers
        var existingDate: String?
        var hasToken = false
        for field in headers {
            if ASCII.equalsIgnoringCase(field.name, "x-amz-date") { existingDate = field.value }
            if ASCII.equalsIgnoringCase(field.name, "x-amz-security-token") { hasToken = true }
        }
        let timestamp = existingDate ?? AMZDate(date).timestamp
        if existingDate == nil {
            headers.append(HTTPHeaderField(name: "X-Amz-Date", value: timestamp))
        }
        if signSessionToken, let token = credentials.sessionToken, !hasToken {
            headers.append(HTTPHeaderField(name: "X-Amz-Security-Token", value: token.revealed()))
        }
        let day = String(timestamp.prefix(8))

        var canonical: [UInt8] = []
        canonical.reserveCapacity(512)
        canonical.append(contentsOf: request.method.utf8)
        canonical.append(ASCII.newline)
        canonical.append(contentsOf: Canonicalization.path(request.path, normalize: normalizePath).utf8)
        canonical.append(ASCII.newline)
        canonical.append(contentsOf: Canonicalization.query(request.query).utf8)
        canonical.append(ASCII.newline)
        let signedHeaders = Canonicalization.appendHeaders(headers, to: &canonical)
        canonical.append(ASCII.newline)
        canonical.append(contentsOf: signedHeaders.utf8)
        canonical.append(ASCII.newline)
        canonical.append(contentsOf: request.payloadHash.utf8)

        let credentialScope = day + "/" + scope.region + "/" + scope.service + "/aws4_request"
        var toSign: [UInt8] = []
        toSign.reserveCapacity(160)
        toSign.append(contentsOf: Self.algorithm.utf8)
        toSign.append(ASCII.newline)
        toSign.append(contentsOf: timestamp.utf8)
        toSign.append(ASCII.newline)
        toSign.append(contentsOf: credentialScope.utf8)
        toSign.append(ASCII.newline)
        Hex.append(SHA256.hash(data: canonical), to: &toSign)

        var mac = keyedHMAC(secret: credentials.secretAccessKey, day: day, scope: scope)
        mac.update(data: toSign)
        let signature = Hex.encode(mac.finalize())
        let authorization = Self.algorithm + " Credential=" + credentials.accessKeyID.rawValue + "/" + credentialScope
            + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature
        return SigV4Signature(
            canonicalRequestBytes: canonical, stringToSignBytes: toSign,
            signature: signature, signedHeaders: signedHeaders, authorization: authorization, amzDate: timestamp)
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

    /// An HMAC keyed with `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`, cached.
    func keyedHMAC(secret: Secret, day: String, scope: SigningScope) -> HMAC<SHA256> {
        let cacheKey = CacheKey(secret: secret, day: day, scope: scope)
        let cached = keyCache.withLock { cache -> CachedKey? in
            if let last = cache.last, last.0 == cacheKey { return last.1 }
            guard let found = cache.all[cacheKey] else { return nil }
            cache.last = (cacheKey, found)
            return found
        }
        if let cached { return cached.keyed }
        let derived = CachedKey(keyed: HMAC<SHA256>(key: Self.deriveSigningKey(secret: secret, day: day, scope: scope)))
        keyCache.withLock { cache in
            if cache.all.count >= Self.cacheLimit { cache.all.removeAll() }
            cache.all[cacheKey] = derived
            cache.last = (cacheKey, derived)
        }
        return derived.keyed
    }

    static func deriveSigningKey(secret: Secret, day: String, scope: SigningScope) -> SymmetricKey {
        var key = SymmetricKey(data: Array(("AWS4" + secret.revealed()).utf8))
        for part in [day, scope.region, scope.service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        return key
    }
}
