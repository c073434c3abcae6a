import Foundation
import KeyrotTestSupport
import Testing

/// Rotations that must not happen, or must be undone: each ends with exit status 1 and IAM and
/// every file exactly as before (the same key list, the same bytes and modes).
@Suite("keyrotd rotate --force: refusals and roll-back against moto", .enabled(if: Repository.shouldRunIntegration, Comment(rawValue: Repository.skipReason)), .serialized)
struct RefusedRotationTests {
    /// A key pair that no IAM knows (the documentation's example key).
    static let strangerID = "AKIAIOSFODNN7EXAMPLE"
    static let strangerSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

    @Test("files that disagree: refused before IAM is touched; names which file holds which key id")
    func filesDisagree() async throws {
        try await RotationSite.with { site in
            let json = try #require(RotationSite.files.first { $0.name == "dynamodb.json" })
            try site.write(json, id: Self.strangerID, secret: Self.strangerSecret)
            let result = try await expectNothingChanges(site, secrets: [Self.strangerSecret])
            #expect(result.output.contains("\(site.path("dynamodb.json")) holds \(Self.strangerID)"), "\(result)")
            #expect(result.output.contains("\(site.path("config.yml")) holds \(site.moto.accessKeyID)"), "\(result)")
        }
    }

    @Test("an ERB value: refused; names the file, the line and the variable")
    func erbValue() async throws {
        try await RotationSite.with { site in
            let yaml = try #require(RotationSite.files.first { $0.name == "config.yml" })
            try site.write(yaml, id: "<%= ENV['AWS_SNOWPLOW_ACCESS_KEY'] %>", secret: site.moto.secretAccessKey)
            let result = try await expectNothingChanges(site)
            #expect(result.output.contains(site.path("config.yml")), "\(result)")
            #expect(result.output.contains("\(site.path("config.yml")):2"), "\(result)")
            #expect(result.output.contains("AWS_SNOWPLOW_ACCESS_KEY"), "\(result)")
        }
    }

    @Test("a second Active key that no file holds: refused; names the key")
    func unknownActiveKey() async throws {
        try await RotationSite.with { site in
            let unknown = try await site.moto.addKey()
            let result = try await expectNothingChanges(site)
            #expect(result.output.contains(unknown), "\(result)")
        }
    }

    @Test("AccessDenied on CreateAccessKey: names the denied action and points to keyrotd policy")
    func createAccessKeyDenied() async throws {
        try await RotationSite.with(denying: ["iam:CreateAccessKey"]) { site in
            let result = try await expectNothingChanges(site)
            #expect(result.output.contains("iam:CreateAccessKey"), "\(result)")
            #expect(result.output.contains("keyrotd policy"), "\(result)")
        }
    }

    @Test("a new key that never starts working: rolled back after propagation_timeout (new key deleted, files restored)")
    func propagationNeverComes() async throws {
        try await RotationSite.with { site in
            let standIn = STSThatRejectsNewKeys(site: site)
            let sts = try LoopbackHTTPServer(responder: { standIn.reply(to: $0) })
            defer { sts.shutdown() }
            try site.writeConfiguration(propagationTimeout: "3s", stsEndpoint: sts.url.absoluteString)

            let result = try await expectNothingChanges(site)
            let signers = Set(sts.receivedRequests.compactMap { STSThatRejectsNewKeys.accessKeyID(of: $0) })
            // A new key was created and tried (then deleted: IAM's key list is as before).
            #expect(signers.contains { $0 != site.moto.accessKeyID }, "STS never saw a new key, only \(signers): \(result)")
            #expect(result.output.contains("rolled back"), "\(result)")
        }
    }

    @Test("AWS unreachable (nothing listens on the endpoints): exit status 75 (EX_TEMPFAIL), nothing changed")
    func awsUnreachable() async throws {
        try await RotationSite.with { site in
            let closed = "http://127.0.0.1:\(try Self.closedLoopbackPort())"
            try site.writeConfiguration(iamEndpoint: closed, stsEndpoint: closed)
            let result = try await expectNothingChanges(site, status: 75)
            #expect(result.output.contains("could not reach AWS"), "\(result)")
        }
    }

    /// Runs `keyrotd rotate --force` and expects exit status `status`, IAM and the files unchanged
    /// and no secret in the output; returns the run for the test's own expectations.
    @discardableResult
    func expectNothingChanges(_ site: RotationSite, status: Int32 = 1, secrets: [String] = [],
                              sourceLocation: SourceLocation = #_sourceLocation) async throws -> ChildResult {
        let files = try site.snapshot()
        let keys = try await site.moto.keys()
        let result = try await site.keyrotd("rotate", "--force")
        #expect(result.status == status, "\(result)", sourceLocation: sourceLocation)
        #expect(try site.snapshot() == files, "the files changed", sourceLocation: sourceLocation)
        #expect(try await site.moto.keys() == keys, "IAM's key list changed", sourceLocation: sourceLocation)
        SecretLeaks.expectNone(in: result, secrets: secrets + [site.moto.secretAccessKey], sourceLocation: sourceLocation)
        return result
    }
}

extension RefusedRotationTests {
    /// A loopback port nothing listens on: bound by the kernel, then closed.
    static func closedLoopbackPort() throws -> Int {
        let server = try LoopbackHTTPServer(replies: [.closeConnection])
        server.shutdown()
        return server.port
    }
}

/// A stand-in STS: GetCallerIdentity succeeds for the site's original key and fails for every
/// other key with `InvalidClientTokenId`, as real STS does while a new key has not propagated.
struct STSThatRejectsNewKeys: Sendable {
    let originalKeyID: String
    let account: String
    let user: String

    init(site: RotationSite) {
        originalKeyID = site.moto.accessKeyID
        account = site.moto.account
        user = site.moto.user
    }

    func reply(to request: LoopbackHTTPServer.ReceivedRequest) -> LoopbackHTTPServer.Reply {
        let xml = ["Content-Type": "text/xml"]
        guard Self.accessKeyID(of: request) == originalKeyID else {
            return .respond(status: 403, headers: xml, body: """
                <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>\
                <Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message>\
                </Error><RequestId>4e8f0c5a-0000-4000-8000-000000000403</RequestId></ErrorResponse>
                """)
        }
        return .respond(status: 200, headers: xml, body: """
            <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>\
            <Arn>arn:aws:iam::\(account):user/\(user)</Arn><UserId>AIDAKEYROTDTESTUSER01</UserId><Account>\(account)</Account>\
            </GetCallerIdentityResult><ResponseMetadata><RequestId>4e8f0c5a-0000-4000-8000-000000000200</RequestId>\
            </ResponseMetadata></GetCallerIdentityResponse>
            """)
    }

    /// The access key id in a SigV4 `Authorization: AWS4-HMAC-SHA256 Credential=ID/date/...` header.
    static func accessKeyID(of request: LoopbackHTTPServer.ReceivedRequest) -> String? {
        guard let header = request.header("authorization"), let start = header.range(of: "Credential=") else { return nil }
        return String(header[start.upperBound...].prefix { $0 != "/" })
    }
}
