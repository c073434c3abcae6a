import AWSSigV4
import Foundation
import KeyrotCore

/// One signed POST: the part of an attempt that the Query (IAM, STS) and JSON (Secrets Manager,
/// DynamoDB) clients share. Signs `Content-Type`, `Host`, the extra headers and `X-Amz-Date` at the
/// clock's time (never `User-Agent`, which moto drops when it checks the signature).
package struct SignedPost: Sendable {
    private let transport: any HTTPTransport
    private let clock: any KeyrotClock
    private let signer = SigV4Signer()

    package init(transport: any HTTPTransport, clock: any KeyrotClock) {
        self.transport = transport
        self.clock = clock
    }

    /// Sends `body` to `endpoint`, signed with `credentials`.
    /// - Throws: ``IAMError`` for a failure below HTTP (what the transport threw, or `.connectionLost`
    ///   with the error as cause), `.timedOut` when `timeout` is already spent; `CancellationError`.
    package func send(_ body: [UInt8], contentType: String, extraHeaders: [HTTPHeaderField] = [], to endpoint: ServiceEndpoint,
                      credentials: Credentials, timeout: Duration) async throws -> HTTPResponseData {
        guard timeout > .zero else { throw IAMError(.timedOut, detail: "retry deadline reached") }
        var headers = [
            HTTPHeaderField(name: "Content-Type", value: contentType),
            HTTPHeaderField(name: "Host", value: endpoint.hostHeader),
        ] + extraHeaders
        let path = endpoint.url.path.isEmpty ? "/" : endpoint.url.path
        let signature = signer.sign(
            SigV4Request(method: "POST", path: path, headers: headers, payloadHash: SigV4Signer.payloadHash(body)),
            credentials: credentials, scope: SigningScope(region: endpoint.signingRegion, service: endpoint.signingService),
            date: clock.now)
        headers += SigV4Signer.headersToAdd(for: signature, credentials: credentials)
        let request = HTTPRequestData(url: endpoint.url, method: "POST", headers: headers, body: body)
        do {
            return try await transport.send(request, timeout: timeout)
        } catch let error as IAMError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw IAMError(.connectionLost, detail: String(describing: type(of: error)), cause: error)
        }
    }
}
