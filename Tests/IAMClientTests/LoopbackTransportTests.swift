import Foundation
import IAMClient
import KeyrotCore
import KeyrotTestSupport
import Testing

/// The real AsyncHTTPClient transport against a scripted loopback server: retries, timeouts,
/// dropped connections and oversized answers.
@Suite struct LoopbackTransportTests {
    static let identityBody = #"<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/u</Arn><UserId>AIDA</UserId><Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"#
    static let throttlingBody = #"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>"#

    func client(for server: LoopbackHTTPServer, policy: RetryPolicy = RetryPolicy(baseDelay: .milliseconds(10), requestTimeout: .seconds(5)),
                maxResponseBytes: Int = AsyncHTTPClientTransport.defaultMaxResponseBytes) throws -> IAMClient {
        IAMClient(endpoints: try IAMEndpoints.emulator(url: server.url),
                  transport: AsyncHTTPClientTransport(proxySettings: ProxySettings(proxyHost: nil), maxResponseBytes: maxResponseBytes),
                  retryPolicy: policy)
    }

    @Test func serverErrorThenThrottlingThenSuccess() async throws {
        let server = try LoopbackHTTPServer(replies: [
            .respond(status: 500, body: "oops"),
            .respond(status: 400, headers: ["Content-Type": "text/xml"], body: Self.throttlingBody),
            .respond(status: 200, body: Self.identityBody),
        ])
        defer { server.shutdown() }
        let identity = try await client(for: server).getCallerIdentity(credentials: Fixtures.credentials)
        #expect(identity.account == "1")
        let requests = server.receivedRequests
        #expect(requests.count == 3)
        #expect(requests.allSatisfy { $0.requestLine == "POST / HTTP/1.1" && $0.body == "Action=GetCallerIdentity&Version=2011-06-15" })
        #expect(requests.allSatisfy { $0.header("host") == "127.0.0.1:\(server.port)" })
        #expect(requests.allSatisfy { $0.header("content-type") == "application/x-www-form-urlencoded; charset=utf-8" })
    }

    @Test func serverThatNeverAnswersTimesOut() async throws {
        let server = try LoopbackHTTPServer(replies: [.neverAnswer])
        defer { server.shutdown() }
        // The overall deadline is far beyond the two attempts: a loaded machine stalls the test
        // process for seconds, and the deadline must not be what ends the call.
        let policy = RetryPolicy(maxAttempts: 2, deadline: .seconds(120), baseDelay: .milliseconds(10), requestTimeout: .milliseconds(300))
        let error = await #expect(throws: IAMError.self) {
            _ = try await client(for: server, policy: policy).getCallerIdentity(credentials: Fixtures.credentials)
        }
        #expect(error?.code == .timedOut)
        #expect(error?.attempts == 2)
        #expect(error?.isTemporary == true)
        #expect(server.receivedRequests.count == 2)
    }

    /// Headers at once, then the body one byte every 250 ms (about 50 s for the whole answer): the
    /// request's one deadline (300 ms) covers connect, headers and body, so the attempt ends as
    /// timed out at the deadline instead of lasting as long as the server trickles.
    @Test func slowBodyIsCutAtTheRequestDeadline() async throws {
        let server = try LoopbackHTTPServer(replies: [.trickle(status: 200, body: Self.identityBody, byteInterval: .milliseconds(250))])
        defer { server.shutdown() }
        let policy = RetryPolicy(maxAttempts: 1, baseDelay: .milliseconds(10), requestTimeout: .milliseconds(300))
        let started = ContinuousClock.now
        let error = await #expect(throws: IAMError.self) {
            _ = try await client(for: server, policy: policy).getCallerIdentity(credentials: Fixtures.credentials)
        }
        // Without the one deadline the call succeeds after the 50 s trickle; the bound below is
        // loose on purpose (a loaded machine stalls the test process for seconds).
        #expect(error?.code == .timedOut)
        #expect(ContinuousClock.now - started < .seconds(30), "the trickle would take 50 s")
    }

    @Test func createAccessKeyOnATimeoutIsAmbiguousAndSentOnce() async throws {
        let server = try LoopbackHTTPServer(replies: [.neverAnswer])
        defer { server.shutdown() }
        let policy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10), requestTimeout: .milliseconds(300))
        let error = await #expect(throws: IAMError.self) {
            _ = try await client(for: server, policy: policy).createAccessKey(userName: "u", credentials: Fixtures.credentials)
        }
        #expect(error?.code == .ambiguous)
        #expect(server.receivedRequests.count == 1)
    }

    @Test func closedConnectionIsRetriedThenSucceeds() async throws {
        let server = try LoopbackHTTPServer(replies: [.closeConnection, .respond(status: 200, body: Self.identityBody)])
        defer { server.shutdown() }
        _ = try await client(for: server).getCallerIdentity(credentials: Fixtures.credentials)
        #expect(server.receivedRequests.count == 2)
    }

    @Test func createAccessKeyOnAClosedConnectionIsAmbiguous() async throws {
        let server = try LoopbackHTTPServer(replies: [.closeConnection])
        defer { server.shutdown() }
        let error = await #expect(throws: IAMError.self) {
            _ = try await client(for: server).createAccessKey(userName: "u", credentials: Fixtures.credentials)
        }
        #expect(error?.code == .ambiguous)
        #expect(server.receivedRequests.count == 1)
    }

    @Test func oversizedResponseIsRefused() async throws {
        let server = try LoopbackHTTPServer(replies: [.respond(status: 200, body: String(repeating: "x", count: 4096))])
        defer { server.shutdown() }
        let error = await #expect(throws: IAMError.self) {
            _ = try await client(for: server, maxResponseBytes: 1024).getCallerIdentity(credentials: Fixtures.credentials)
        }
        #expect(error?.code == .responseTooLarge)
    }

    @Test func nothingListeningIsUnreachable() async throws {
        let server = try LoopbackHTTPServer(replies: [.closeConnection])
        let url = server.url
        server.shutdown()
        let client = IAMClient(endpoints: try IAMEndpoints.emulator(url: url),
                               transport: AsyncHTTPClientTransport(proxySettings: ProxySettings(proxyHost: nil)),
                               retryPolicy: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10), requestTimeout: .seconds(3)))
        let error = await #expect(throws: IAMError.self) {
            _ = try await client.getCallerIdentity(credentials: Fixtures.credentials)
        }
        #expect(error?.code == .unreachable)
        #expect(error?.isTemporary == true)
        #expect(error?.cause != nil, "the connection error underneath is kept")
    }

    /// A refused connection ends its attempt at once, and the retry policy alone decides what comes
    /// next: AsyncHTTPClient's pool would otherwise keep reconnecting until the request timeout,
    /// spending the whole deadline on one attempt.
    @Test func refusedConnectionsAreRetriedByThePolicyAlone() async throws {
        let server = try LoopbackHTTPServer(replies: [.closeConnection])
        let url = server.url
        server.shutdown()
        let client = IAMClient(endpoints: try IAMEndpoints.emulator(url: url),
                               transport: AsyncHTTPClientTransport(proxySettings: ProxySettings(proxyHost: nil)),
                               retryPolicy: RetryPolicy(maxAttempts: 4, deadline: .seconds(120), baseDelay: .milliseconds(10),
                                                        requestTimeout: .seconds(30)))
        let error = await #expect(throws: IAMError.self) {
            _ = try await client.getCallerIdentity(credentials: Fixtures.credentials)
        }
        #expect(error?.code == .unreachable)
        #expect(error?.attempts == 4)
    }

    /// A server whose certificate does not verify (self-signed) is a certificate problem that
    /// names the endpoint and says what to check, and is not retried: another attempt meets the
    /// same certificate.
    @Test func untrustedCertificateIsACertificateProblemAndNotRetried() async throws {
        let server = try SelfSignedTLSServer()
        defer { server.shutdown() }
        let client = IAMClient(endpoints: try IAMEndpoints.emulator(url: server.url),
                               transport: AsyncHTTPClientTransport(proxySettings: ProxySettings(proxyHost: nil)),
                               retryPolicy: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10), requestTimeout: .seconds(5)))
        let error = await #expect(throws: IAMError.self) {
            _ = try await client.getCallerIdentity(credentials: Fixtures.credentials)
        }
        let text = error?.description ?? ""
        #expect(error?.code == .certificateRejected)
        #expect(error?.cause != nil, "the TLS error underneath is kept")
        #expect(error?.isTemporary == false)
        #expect(error?.attempts == 1)
        #expect(server.acceptedConnections == 1, "not retried")
        #expect(text.contains("certificate"), "\(text)")
        #expect(text.contains(server.url.absoluteString))
        #expect(!text.contains("try again"))
    }
}
