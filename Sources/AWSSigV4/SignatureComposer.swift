import Crypto
import Foundation

/// Writes the canonical request, the string to sign and the `Authorization` value of one request
/// into a single byte buffer sized up front (see ``ByteWriter``), hashing and MACing in place.
enum SignatureComposer {
    /// Every fixed word and separator of the three texts: 8 newlines, the algorithm name twice, two
    /// 64-digit hex values, ` Credential=`, `/`, `, SignedHeaders=` and `, Signature=` (209 bytes).
    private static let fixedBytes = 256
    private static let algorithm: StaticString = "AWS4-HMAC-SHA256"

    /// - Parameters:
    ///   - timestamp: the `X-Amz-Date` value, also the second line of the string to sign.
    ///   - addsDateHeader: sign an `X-Amz-Date: timestamp` header the request does not carry yet.
    ///   - sessionToken: sign an `X-Amz-Security-Token` header with this value.
    static func compose(
        _ request: SigV4Request, normalizePath: Bool, accessKeyID: String, key: SigningKey,
        timestamp: UnsafeBufferPointer<UInt8>, addsDateHeader: Bool, sessionToken: String?
    ) -> SigV4Signature {
        // The closures below capture these, not `request`: each capture of the struct copied all its fields.
        let (method, headers, payloadHash) = (request.method, request.headers, request.payloadHash)
        let path = Canonicalization.path(request.path, normalize: normalizePath)
        let query = Canonicalization.query(request.query)
        var headerCount = headers.count
        var headerBytes = 0
        for field in headers {
            headerBytes += field.name.utf8.count + field.value.utf8.count
        }
        if addsDateHeader {
            headerCount += 1
            headerBytes += "x-amz-date".utf8.count + timestamp.count
        }
        if let sessionToken {
            headerCount += 1
            headerBytes += "x-amz-security-token".utf8.count + sessionToken.utf8.count
        }
        // The header block takes at most the header bytes plus `:` and `\n` per header; the signed-headers
        // list, written twice, at most the header bytes plus `;` per header.
        let capacity = method.utf8.count + path.utf8.count + query.utf8.count + payloadHash.utf8.count
            + 3 * headerBytes + 4 * headerCount + timestamp.count + 2 * key.credentialScope.count
            + accessKeyID.utf8.count + fixedBytes

        var stringToSignStart = 0
        var authorizationStart = 0
        var signedHeaders = 0..<0
        let text = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            var writer = ByteWriter(buffer)
            writer.write(method)
            writer.write(ASCII.newline)
            writer.write(path)
            writer.write(ASCII.newline)
            writer.write(query)
            writer.write(ASCII.newline)
            signedHeaders = CanonicalHeaders.withScratch(headers: headerCount, bytes: headerBytes) { canonical in
                for field in headers {
                    canonical.add(name: field.name, value: field.value)
                }
                if addsDateHeader {
                    canonical.add(name: "X-Amz-Date", value: timestamp)
                }
                if let sessionToken {
                    sessionToken.withUTF8Buffer { canonical.add(name: "X-Amz-Security-Token", value: $0) }
                }
                canonical.writeBlock(to: &writer)
                writer.write(ASCII.newline)
                let start = writer.count
                canonical.writeSignedHeaders(to: &writer)
                return start..<writer.count
            }
            writer.write(ASCII.newline)
            writer.write(payloadHash)

            stringToSignStart = writer.count
            writer.write(algorithm)
            writer.write(ASCII.newline)
            writer.write(timestamp)
            writer.write(ASCII.newline)
            key.credentialScope.withUnsafeBufferPointer { writer.write($0) }
            writer.write(ASCII.newline)
            let canonicalRequest = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: writer.written[..<stringToSignStart]))
            SHA256.hash(data: canonicalRequest).withUnsafeBytes { Hex.write($0, to: &writer) }

            let mac = key.mac.authenticationCode(for: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: writer.written[stringToSignStart...])))
            authorizationStart = writer.count
            writer.write(algorithm)
            writer.write(" Credential=")
            writer.write(accessKeyID)
            writer.write(UInt8(ascii: "/"))
            key.credentialScope.withUnsafeBufferPointer { writer.write($0) }
            writer.write(", SignedHeaders=")
            writer.copy(signedHeaders)
            writer.write(", Signature=")
            mac.withUnsafeBytes { Hex.write($0, to: &writer) }
            initialized = writer.count
        }
        let timestampStart = stringToSignStart + algorithm.utf8CodeUnitCount + 1
        return SigV4Signature(
            text: text, stringToSignStart: stringToSignStart, authorizationStart: authorizationStart,
            signedHeadersRange: signedHeaders, amzDateRange: timestampStart..<timestampStart + timestamp.count)
    }
}
