import AWSSigV4
import Foundation
import IAMClient
import KeyrotCore
import KeyrotTestSupport
import Testing

/// Retry, backoff, deadline and error-classification behaviour over a closure transport and a fake clock.
@Suite struct RetryTests {
    let credentials = Fixtures.credentials
    static let throttling = Array(#"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r1</RequestId></ErrorResponse>"#.utf8)
    static let identity = Array(#"<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/u</Arn><UserId>AIDA</UserId><Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"#.utf8)
    static let created = Array(#"<CreateAccessKeyResponse><CreateAccessKeyResult><AccessKey><UserName>u</UserName><AccessKeyId>AKIANEW0000000000000</AccessKeyId><Status>Active</Status><SecretAccessKey>s/+x</SecretAccessKey></AccessKey></CreateAccessKeyResult></CreateAccessKeyResponse>"#.utf8)

    static func error(_ code: String) -> [UInt8] {
        Array("<ErrorResponse><Error><Code>\(code)</Code><Message>m</Message></Error></ErrorResponse>".utf8)
    }

    /// A transport answering from `script` in order (the last entry repeats), logging requests.
    static func scripted(_ log: RequestLog, _ script: [Result<HTTPResponseData, IAMError>]) -> ClosureTransport {
        ClosureTransport { request, _ in
            log.append(request)
            return try script[min(log.all.count - 1, script.count - 1)].get()
        }
    }

    @Test func throttlingThenSuccessIsRetriedAndReSigned() async throws {
        let log = RequestLog()
        let time = TestClock.atNoon()
        let client = Fixtures.client(time, policy: RetryPolicy(baseDelay: .seconds(2)), transport: Self.scripted(log, [
            .success(HTTPResponseData(status: 400, body: Self.throttling)),
            .success(HTTPResponseData(status: 500, body: Self.error("ServiceFailure"))),
            .success(HTTPResponseData(status: 200, body: Self.identity)),
        ]))
        let identity = try await client.getCallerIdentity(credentials: credentials)
        #expect(identity.arn == "arn:aws:iam::1:user/u")
        #expect(log.all.count == 3)
        // Full jitter with random 0.5: 0.5 × 2 s, then 0.5 × 4 s.
        #expect(time.sleptMilliseconds(since: TestClock.atNoon().now) == [1000, 2000])
        let dates = log.all.compactMap { $0.header("X-Amz-Date") }
        #expect(Set(dates).count == 3, "every attempt is signed anew")
        #expect(Set(log.all.compactMap { $0.header("Authorization") }).count == 3)
    }

    @Test(arguments: ["LimitExceeded", "AccessDenied", "NoSuchEntity", "InvalidClientTokenId", "SignatureDoesNotMatch", "InvalidInput"])
    func nonRetryableErrorsFailAtOnce(code: String) async throws {
        let log = RequestLog()
        let client = Fixtures.client(transport: Self.scripted(log, [.success(HTTPResponseData(status: 403, body: Self.error(code)))]))
        let error = await #expect(throws: IAMError.self) {
            _ = try await client.listAccessKeys(userName: "u", credentials: credentials)
        }
        #expect(error?.answer?.code == code)
        #expect(log.all.count == 1)
    }

    /// Each AWS answer gets its typed code (what callers decide on), keeps its wire code and
    /// status, and carries no cause (AWS answered).
    @Test(arguments: [
        ("AccessDenied", IAMError.Code.accessDenied), ("NoSuchEntity", .noSuchEntity), ("LimitExceeded", .limitExceeded),
        ("InvalidClientTokenId", .unknownAccessKey), ("SignatureDoesNotMatch", .wrongSecret), ("ExpiredToken", .expiredToken),
        ("RequestTimeTooSkewed", .clockSkew), ("Throttling", .throttled), ("ServiceUnavailable", .serviceFailure),
        ("InvalidInput", .rejected),
    ])
    func awsAnswersAreTyped(awsCode: String, code: IAMError.Code) async throws {
        let client = Fixtures.client(policy: RetryPolicy(maxAttempts: 1), transport: ClosureTransport { _, _ in
            HTTPResponseData(status: 400, body: Self.error(awsCode))
        })
        let error = await #expect(throws: IAMError.self) {
            _ = try await client.listAccessKeys(userName: "u", credentials: credentials)
        }
        #expect(error?.code == code)
        #expect(error?.answer?.code == awsCode)
        #expect(error?.answer?.httpStatus == 400)
        #expect(error?.action == "ListAccessKeys")
        #expect(error?.cause == nil)
    }

    /// A failure below the client keeps the error it came from as its cause.
    @Test func aTransportFailureKeepsItsCause() async throws {
        struct Underlying: Error {}
        let client = Fixtures.client(policy: RetryPolicy(maxAttempts: 1), transport: ClosureTransport { _, _ in throw Underlying() })
        let error = await #expect(throws: IAMError.self) {
            _ = try await client.getCallerIdentity(credentials: credentials)
        }
        #expect(error?.code == .connectionLost)
        #expect(error?.cause is Underlying)
        #expect(error?.action == "GetCallerIdentity")
    }

    @Test func attemptsAreBounded() async throws {
        let log = RequestLog()
        let client = Fixtures.client(policy: RetryPolicy(maxAttempts: 3), transport: Self.scripted(log, [.success(HTTPResponseData(status: 503, body: Self.error("ServiceUnavailable")))]))
        let error = await #expect(throws: IAMError.self) {
            _ = try await client.getCallerIdentity(credentials: credentials)
        }
        #expect(error?.answer?.code == "ServiceUnavailable")
        #expect(error?.code == .serviceFailure)
        #expect(log.all.count == 3)
    }

    @Test func deadlineBoundsRetriesBeforeAttemptsDo() async throws {
        let log = RequestLog()
        let time = TestClock.atNoon()
        let policy = RetryPolicy(maxAttempts: 100, deadline: .seconds(10), baseDelay: .seconds(4), maxDelay: .seconds(20))
        let client = Fixtures.client(time, policy: policy, transport: Self.scripted(log, [.failure(IAMError(.unreachable, detail: "refused"))]))
        let error = await #expect(throws: IAMError.self) {
            _ = try await client.getCallerIdentity(credentials: credentials)
        }
        #expect(error?.code == .unreachable)
        // Sleeps of 2 s, 4 s (6 s elapsed); the next one (8 s) would pass the 10 s deadline.
        #expect(time.sleptMilliseconds(since: TestClock.atNoon().now) == [2000, 4000])
        #expect(error?.attempts == 3)
        #expect(error?.isTemporary == true)
        #expect(error?.description.contains("after 3 attempts") == true)
    }

    @Test func createAccessKeyIsNotRetriedAfterTheConnectionIsLost() async throws {
        for code in [IAMError.Code.connectionLost, .timedOut] {
            let log = RequestLog()
            let client = Fixtures.client(transport: Self.scripted(log, [.failure(IAMError(code, detail: "x")), .success(HTTPResponseData(status: 200, body: Self.created))]))
            let error = await #expect(throws: IAMError.self) {
                _ = try await client.createAccessKey(userName: "u", credentials: credentials)
            }
            #expect(error?.code == .ambiguous)
            #expect(error?.description.contains("list the user's access keys") == true)
            #expect(log.all.count == 1)
        }
    }

    @Test func createAccessKeyIsRetriedWhenTheRequestCertainlyHadNoEffect() async throws {
        let log = RequestLog()
        let client = Fixtures.client(transport: Self.scripted(log, [
            .failure(IAMError(.unreachable, detail: "refused")),
            .success(HTTPResponseData(status: 400, body: Self.throttling)),
            .success(HTTPResponseData(status: 200, body: Self.created)),
        ]))
        let created = try await client.createAccessKey(userName: "u", credentials: credentials)
        #expect(created.credentials.secretAccessKey.revealed() == "s/+x")
        #expect(created.createDate == nil)
        #expect(log.all.count == 3)
    }

    @Test func createAccessKeyServerFailureIsNotRetried() async throws {
        let log = RequestLog()
        let client = Fixtures.client(transport: Self.scripted(log, [.success(HTTPResponseData(status: 500, body: Self.error("ServiceFailure")))]))
        let error = await #expect(throws: IAMError.self) {
            _ = try await client.createAccessKey(userName: "u", credentials: credentials)
        }
        #expect(error?.code == .serviceFailure)
        #expect(log.all.count == 1)
    }

    @Test func idempotentCallsRetryLostConnections() async throws {
        let log = RequestLog()
        let client = Fixtures.client(transport: Self.scripted(log, [
            .failure(IAMError(.connectionLost, detail: "reset")),
            .failure(IAMError(.timedOut, detail: "slow")),
            .success(HTTPResponseData(status: 200, body: Self.identity)),
        ]))
        _ = try await client.getCallerIdentity(credentials: credentials)
        #expect(log.all.count == 3)
    }

    @Test func requestTimeTooSkewedIsAClockError() async throws {
        let client = Fixtures.client(transport: ClosureTransport { _, _ in HTTPResponseData(status: 403, body: Self.error("RequestTimeTooSkewed")) })
        let error = await #expect(throws: IAMError.self) {
            _ = try await client.getCallerIdentity(credentials: credentials)
        }
        #expect(error?.code == .clockSkew)
        #expect(error?.description.contains("fix the system clock") == true)
    }

    @Test func signatureErrorWithAFarServerDateIsAClockError() async throws {
        let time = TestClock.atNoon()
        for (date, skewed) in [("Sat, 29 Nov 2025 12:10:00 GMT", true), ("Sat, 29 Nov 2025 12:01:00 GMT", false)] {
            let client = Fixtures.client(time, transport: ClosureTransport { _, _ in
                HTTPResponseData(status: 403, headers: [HTTPHeaderField(name: "Date", value: date)], body: Self.error("SignatureDoesNotMatch"))
            })
            let error = await #expect(throws: IAMError.self) {
                _ = try await client.getCallerIdentity(credentials: credentials)
            }
            #expect((error?.code == .clockSkew) == skewed)
            if skewed { #expect(error?.clockSkew == 600) }
        }
    }

    @Test func accessDeniedNamesTheActionAndThePolicyCommand() async throws {
        let client = Fixtures.client(transport: ClosureTransport { _, _ in
            HTTPResponseData(status: 403, body: Array("<ErrorResponse><Error><Code>AccessDenied</Code><Message>User: arn:aws:iam::1:user/u is not authorized to perform: iam:CreateAccessKey</Message></Error><RequestId>abc</RequestId></ErrorResponse>".utf8))
        })
        let error = await #expect(throws: IAMError.self) {
            _ = try await client.createAccessKey(userName: "u", credentials: credentials)
        }
        let text = error?.description ?? ""
        #expect(text.contains("CreateAccessKey"))
        #expect(text.contains("run `keyrotd policy`"))
        #expect(text.contains("abc"))
    }

    @Test func requestsAreSignedAsIAMExpectsAndLeakNothing() async throws {
        let log = RequestLog()
        let client = Fixtures.client(transport: Self.scripted(log, [.success(HTTPResponseData(status: 403, body: Self.error("SignatureDoesNotMatch")))]))
        let error = await #expect(throws: IAMError.self) {
            _ = try await client.updateAccessKey(AccessKeyID("AKIAOLD"), status: .inactive, userName: "u", credentials: credentials)
        }
        let request = try #require(log.all.first)
        #expect(request.method == "POST")
        #expect(request.header("Content-Type") == "application/x-www-form-urlencoded; charset=utf-8")
        #expect(String(decoding: request.body, as: UTF8.self) == "AccessKeyId=AKIAOLD&Action=UpdateAccessKey&Status=Inactive&UserName=u&Version=2010-05-08")
        let authorization = try #require(request.header("Authorization"))
        #expect(authorization.contains("SignedHeaders=content-type;host;x-amz-date,"))
        #expect(request.header("User-Agent") == nil || !authorization.contains("user-agent"))
        let signature = String(authorization.split(separator: "=").last ?? "")
        let text = "\(error.map { String(describing: $0) } ?? "")"
        #expect(!text.contains(credentials.secretAccessKey.revealed()))
        #expect(!text.contains(signature))
    }

    @Test func sessionTokenIsSentAndSigned() async throws {
        let log = RequestLog()
        let temporary = Credentials(accessKeyID: AccessKeyID("ASIAEXAMPLE"), secretAccessKey: Secret("s"), sessionToken: Secret("token/+="))
        let client = Fixtures.client(transport: Self.scripted(log, [.success(HTTPResponseData(status: 200, body: Self.identity))]))
        _ = try await client.getCallerIdentity(credentials: temporary)
        let request = try #require(log.all.first)
        #expect(request.header("X-Amz-Security-Token") == "token/+=")
        #expect(request.header("Authorization")?.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,") == true)
    }

    @Test func fullJitterStaysUnderTheCappedExponential() {
        let policy = RetryPolicy(baseDelay: .seconds(1), maxDelay: .seconds(20))
        #expect(policy.delay(afterAttempt: 1, random: 0.999) < .seconds(1))
        #expect(milliseconds([policy.delay(afterAttempt: 3, random: 0.5)]) == [2000])
        #expect(milliseconds([policy.delay(afterAttempt: 10, random: 0.5)]) == [10000])
        #expect(policy.delay(afterAttempt: 2, random: 0) == .zero)
    }

    private func milliseconds(_ durations: [Duration]) -> [Double] {
        durations.map { ($0 / .milliseconds(1)).rounded() }
    }
}
