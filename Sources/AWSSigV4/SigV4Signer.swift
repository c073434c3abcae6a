import Crypto
import Foundation
import KeyrotCore

/// AWS Signature Version 4 (header signing, `AWS4-HMAC-SHA256`).
///
/// Pure apart from its signing-key cache: the time is always a parameter. The derived key for a
/// (secret, day, region, service) is cached (``SigningKeyCache``). Safe to share between tasks.
public final class SigV4Signer: Sendable {
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// Hash of the empty body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    private let keys = SigningKeyCache()
    private let normalizePath: Bool

    /// - Parameter normalizePath: remove `.`/`..`/empty path segments before encoding (every service but S3).
    public init(normalizePath: Bool = true) {
        self.normalizePath = normalizePath
    }

    public static func payloadHash(_ body: some DataProtocol) -> String {
        SHA256.hash(data: body).withUnsafeBytes(Hex.encode)
    }

    public static func payloadHash(_ body: String) -> String {
        body.withUTF8Buffer { SHA256.hash(data: UnsafeRawBufferPointer($0)).withUnsafeBytes(Hex.encode) }
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
        var existingDate: String?
        var hasToken = false
        for field in request.headers {
            if ASCII.equalsIgnoringCase(field.name, "x-amz-date") { existingDate = field.value }
            if ASCII.equalsIgnoringCase(field.name, "x-amz-security-token") { hasToken = true }
        }
        let sessionToken = signSessionToken && !hasToken ? credentials.sessionToken?.revealed() : nil

        func compose(timestamp: UnsafeBufferPointer<UInt8>, day: UnsafeBufferPointer<UInt8>, addsDateHeader: Bool) -> SigV4Signature {
            SignatureComposer.compose(
                request, normalizePath: normalizePath, accessKeyID: credentials.accessKeyID.rawValue,
                key: keys.key(secret: credentials.secretAccessKey, day: day, scope: scope),
                timestamp: timestamp, addsDateHeader: addsDateHeader, sessionToken: sessionToken)
        }
        if let existingDate {
            let day = Array(existingDate.prefix(AMZDate.dayLength).utf8)
            return existingDate.withUTF8Buffer { timestamp in
                day.withUnsafeBufferPointer { compose(timestamp: timestamp, day: $0, addsDateHeader: false) }
            }
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: AMZDate.timestampLength) { buffer in
            AMZDate.write(date, into: buffer)
            let timestamp = UnsafeBufferPointer(buffer)
            return compose(timestamp: timestamp, day: UnsafeBufferPointer(rebasing: timestamp[..<AMZDate.dayLength]), addsDateHeader: true)
        }
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
}
