import Foundation
import IAMClient
import KeyrotCore
import KeyrotTestSupport
import Testing

/// Malformed, truncated and huge IAM/STS answers: each ends in a clear error naming the call,
/// never a crash, a hang, a secret in the message, or a body held beyond the transport's cap.
@Suite struct HostileResponseBodyTests {
    let credentials = Fixtures.credentials

    static let createFixtures = ["aws-create-access-key", "moto-create-access-key"]

    /// Every strict prefix of a CreateAccessKey answer is refused as invalid, and the message
    /// never carries the part of the secret that did arrive.
    @Test(arguments: createFixtures)
    func truncatedCreateAccessKeyAnswers(fixture: String) async throws {
        let body = try Fixtures.body(fixture)
        let secret = try #require(String(decoding: body, as: UTF8.self).firstMatch(of: /<SecretAccessKey>([^<]+)</)?.1)
        for length in stride(from: 0, to: body.count, by: 7) {
            let prefix = Array(body[..<length])
            let client = Fixtures.client(transport: ClosureTransport { _, _ in HTTPResponseData(status: 200, body: prefix) })
            let error = await #expect(throws: IAMError.self, "prefix of \(length) bytes") {
                _ = try await client.createAccessKey(userName: "bob", credentials: credentials)
            }
            #expect(error?.code == .invalidResponse)
            #expect(error?.description.contains("CreateAccessKey") == true)
            #expect(error?.description.contains(secret.prefix(8)) == false)
        }
    }

    /// A truncated error answer still fails the call (as an HTTP status error), never as success.
    @Test func truncatedErrorAnswer() async throws {
        let body = Array(try Fixtures.body("moto-error-limit-exceeded").prefix(60))
        let client = Fixtures.client(transport: ClosureTransport { _, _ in HTTPResponseData(status: 409, body: body) })
        let error = await #expect(throws: IAMError.self) {
            _ = try await client.createAccessKey(userName: "bob", credentials: credentials)
        }
        #expect(error?.answer?.httpStatus == 409)
        #expect(error?.action == "CreateAccessKey")
    }

    /// An error answer whose text tries to forge log lines, colour the terminal or reorder what
    /// the operator reads (line breaks, C1 controls, DEL, bidi overrides and isolates, marks,
    /// zero-width characters): none of it reaches the error's description, the words remain.
    @Test func hostileErrorTextIsNeutralised() async throws {
        let hostile = "Rate\r\nkeyrotd[1]: rotation complete\u{85}\u{7F}\u{9B}31m \u{202E}exe.txt\u{202C} \u{2066}x\u{2069}"
            + "\u{200F}\u{061C}\u{200B}\u{FEFF}\u{2028}end"
        let body = Array("<ErrorResponse><Error><Code>Throttling\u{202E}</Code><Message>\(hostile)</Message></Error><RequestId>r1\u{2067}\n</RequestId></ErrorResponse>".utf8)
        let client = Fixtures.client(policy: RetryPolicy(maxAttempts: 1), transport: ClosureTransport { _, _ in HTTPResponseData(status: 400, body: body) })
        let error = await #expect(throws: (any Error).self) {
            _ = try await client.getCallerIdentity(credentials: credentials)
        }
        let text = error.map { String(describing: $0) } ?? ""
        let unsafe = text.unicodeScalars.filter {
            [.control, .format, .lineSeparator, .paragraphSeparator].contains($0.properties.generalCategory)
        }
        #expect(unsafe.isEmpty, "\(unsafe.map { String($0.value, radix: 16) })")
        #expect(text.contains("Rate keyrotd[1]: rotation complete"), "\(text)")
        #expect(text.contains("exe.txt x"))
        #expect(text.contains("end"))
    }

    static let malformed: [(String, String)] = [
        ("binary", String(decoding: (0..<512).map { UInt8(truncatingIfNeeded: $0 &* 31) }, as: UTF8.self)),
        ("mismatched tags", "<GetCallerIdentityResponse><GetCallerIdentityResult></GetCallerIdentityResponse>"),
        ("two roots", "<A/><B/>"),
        ("processing instruction without data (crashed FoundationXML)", "<U<?:versio?>><Errocer"),
        ("processing instruction", #"<?xml version="1.0"?><GetCallerIdentityResponse><?pi data?></GetCallerIdentityResponse>"#),
        ("external entity", #"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><GetCallerIdentityResponse><GetCallerIdentityResult><Arn>&x;</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>"#),
        ("entity expansion bomb", billionLaughs),
        ("deep nesting", String(repeating: "<a>", count: 200_000) + String(repeating: "</a>", count: 200_000)),
        ("wide", "<GetCallerIdentityResponse>" + String(repeating: "<member/>", count: 100_000) + "</GetCallerIdentityResponse>"),
    ]

    /// Each malformed success body ends in `invalidResponse` for GetCallerIdentity, within seconds.
    @Test(arguments: malformed.map(\.0))
    func malformedSuccessBody(name: String) async throws {
        let body = Array(try #require(Self.malformed.first { $0.0 == name }).1.utf8)
        let client = Fixtures.client(transport: ClosureTransport { _, _ in HTTPResponseData(status: 200, body: body) })
        let error = await #expect(throws: IAMError.self) {
            _ = try await client.getCallerIdentity(credentials: credentials)
        }
        #expect(error?.code == .invalidResponse)
        #expect(error?.description.contains("GetCallerIdentity") == true)
        #expect(error?.description.contains("root:") == false, "no /etc/passwd content")
    }

    /// Bytes that are not UTF-8 inside an element name made FoundationXML trap (found by
    /// scripts/fuzz-config-xml); such a body is now an invalid response, as a success and as an error.
    @Test(arguments: [200, 403])
    func invalidUTF8InAnElementName(status: Int) async throws {
        let body = Array("<ListAccessKeysResponse><ListAccessKeysResult><Acc".utf8) + [0xF6, 0xF6, 0xF6]
            + Array("essKeyMetadata/></ListAccessKeysResult></ListAccessKeysResponse>".utf8)
        #expect(ResponseElement.parse(body) == nil)
        let client = Fixtures.client(transport: ClosureTransport { _, _ in HTTPResponseData(status: status, body: body) })
        await #expect(throws: (any Error).self) {
            _ = try await client.listAccessKeys(userName: "bob", credentials: credentials)
        }
    }

    /// The depth limit sits above every real answer and refuses one level more; an error answer
    /// that deep still fails the call with its HTTP status.
    @Test func nestingDepthLimit() async throws {
        func nested(_ depth: Int) -> [UInt8] {
            Array((String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)).utf8)
        }
        #expect(ResponseElement.parse(nested(ResponseElement.maximumDepth)) != nil)
        #expect(ResponseElement.parse(nested(ResponseElement.maximumDepth + 1)) == nil)
        let deep = nested(100_000)
        let client = Fixtures.client(transport: ClosureTransport { _, _ in HTTPResponseData(status: 500, body: deep) })
        let error = await #expect(throws: IAMError.self) {
            _ = try await client.getCallerIdentity(credentials: credentials)
        }
        #expect(error?.answer?.code == "HTTP500")
    }

    /// More than 1 MiB from a real socket with the default cap: `responseTooLarge`, for a success
    /// and for an error status alike, and nothing retried into a bigger buffer.
    @Test(arguments: [200, 500])
    func hugeBodyIsRefusedAtTheDefaultCap(status: Int) async throws {
        let huge = "<GetCallerIdentityResponse>" + String(repeating: "x", count: AsyncHTTPClientTransport.defaultMaxResponseBytes)
            + "</GetCallerIdentityResponse>"
        let server = try LoopbackHTTPServer(replies: [.respond(status: status, body: huge)])
        defer { server.shutdown() }
        let client = IAMClient(endpoints: try IAMEndpoints.emulator(url: server.url),
                               transport: AsyncHTTPClientTransport(proxySettings: ProxySettings(proxyHost: nil)),
                               retryPolicy: RetryPolicy(maxAttempts: 1, baseDelay: .milliseconds(10), requestTimeout: Self.unhurried))
        let error = await #expect(throws: IAMError.self) {
            _ = try await client.getCallerIdentity(credentials: credentials)
        }
        #expect(error?.code == .responseTooLarge)
        #expect(error?.description.contains("larger than") == true)
        #expect(error?.description.contains("GetCallerIdentity") == true)
    }

    /// The deadline of the two 1 MiB answers, which test the size cap, not time: a debug build
    /// among the whole suite's parallel tests on two cores once took over 10 s to receive one.
    static let unhurried: Duration = .seconds(60)

    /// A body just under the cap is read whole (the cap is not set below real answers).
    @Test func bodyJustUnderTheCapIsRead() async throws {
        let head = #"<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/u</Arn><UserId>AIDA</UserId><Account>1</Account></GetCallerIdentityResult><!--"#
        let tail = "--></GetCallerIdentityResponse>"
        let padding = String(repeating: "p", count: AsyncHTTPClientTransport.defaultMaxResponseBytes - head.utf8.count - tail.utf8.count)
        let server = try LoopbackHTTPServer(replies: [.respond(status: 200, body: head + padding + tail)])
        defer { server.shutdown() }
        let client = IAMClient(endpoints: try IAMEndpoints.emulator(url: server.url),
                               transport: AsyncHTTPClientTransport(proxySettings: ProxySettings(proxyHost: nil)),
                               retryPolicy: RetryPolicy(maxAttempts: 1, requestTimeout: Self.unhurried))
        let identity = try await client.getCallerIdentity(credentials: credentials)
        #expect(identity.account == "1")
    }

    static let billionLaughs: String = {
        var doctype = #"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lololololololololololol">"#
        for level in 1...12 {
            doctype += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">"
        }
        return doctype + "]><GetCallerIdentityResponse><GetCallerIdentityResult><Arn>&lol12;</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>"
    }()
}
