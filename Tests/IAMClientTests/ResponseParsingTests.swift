import Foundation
import IAMClient
import KeyrotCore
import KeyrotTestSupport
import Testing

/// Every documented AWS body and every captured moto body, through the typed calls.
@Suite struct ResponseParsingTests {
    let credentials = Fixtures.credentials

    @Test(arguments: ["aws-list-access-keys", "moto-list-access-keys"])
    func listAccessKeys(fixture: String) async throws {
        let keys = try await Fixtures.client(answering: fixture).listAccessKeys(userName: "bob", credentials: credentials)
        if fixture.hasPrefix("aws") {
            #expect(keys.map(\.keyID.rawValue) == ["AKIA111111111EXAMPLE", "AKIA222222222EXAMPLE"])
            #expect(keys.map(\.status) == [.active, .inactive])
            #expect(keys.allSatisfy { $0.createdAt == Date(timeIntervalSince1970: 1_425_926_363) })
        } else {
            #expect(keys.map(\.keyID.rawValue) == ["AKIARZPUZDIKKR2VBKAJ"])
            #expect(keys[0].status == .active)
            #expect(abs(keys[0].createdAt.timeIntervalSince1970 - 1_795_951_399.745416) < 0.001)
        }
    }

    @Test func emptyListAndPagination() async throws {
        let pages = [
            #"<ListAccessKeysResponse><ListAccessKeysResult><AccessKeyMetadata><member><UserName>u</UserName><AccessKeyId>AKIAEXPIRED000000001</AccessKeyId><Status>Expired</Status><CreateDate>2020-01-01T00:00:00Z</CreateDate></member></AccessKeyMetadata><IsTruncated>true</IsTruncated><Marker>next</Marker></ListAccessKeysResult></ListAccessKeysResponse>"#,
            #"<ListAccessKeysResponse><ListAccessKeysResult><AccessKeyMetadata/><IsTruncated>false</IsTruncated></ListAccessKeysResult></ListAccessKeysResponse>"#,
        ]
        let log = RequestLog()
        let client = Fixtures.client(transport: ClosureTransport { request, _ in
            log.append(request)
            return HTTPResponseData(status: 200, body: Array(pages[log.all.count - 1].utf8))
        })
        let keys = try await client.listAccessKeys(userName: nil, credentials: credentials)
        #expect(keys.map(\.status) == [.expired])
        #expect(String(decoding: log.all[1].body, as: UTF8.self).contains("Marker=next"))
        #expect(!String(decoding: log.all[0].body, as: UTF8.self).contains("UserName"))
    }

    @Test(arguments: ["aws-create-access-key", "moto-create-access-key"])
    func createAccessKey(fixture: String) async throws {
        let created = try await Fixtures.client(answering: fixture).createAccessKey(userName: "bob", credentials: credentials)
        #expect(created.status == .active)
        #expect(created.createDate != nil)
        if fixture.hasPrefix("aws") {
            #expect(created.credentials.accessKeyID.rawValue == "AKIAIOSFODNN7EXAMPLE")
            #expect(created.credentials.secretAccessKey.revealed() == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY")
            #expect(created.userName == "Bob")
        } else {
            #expect(created.credentials.secretAccessKey.revealed() == "5swoQW87VPnCD11yw+CudJfRd7dqQXrtAqoXxhV2")
        }
        #expect(!"\(created)".contains(created.credentials.secretAccessKey.revealed()))
    }

    @Test(arguments: ["aws-update-access-key", "moto-update-access-key", "aws-delete-access-key", "moto-delete-access-key"])
    func updateAndDelete(fixture: String) async throws {
        let client = try Fixtures.client(answering: fixture)
        if fixture.contains("update") {
            try await client.updateAccessKey(AccessKeyID("AKIA1"), status: .inactive, userName: "bob", credentials: credentials)
        } else {
            try await client.deleteAccessKey(AccessKeyID("AKIA1"), userName: "bob", credentials: credentials)
        }
    }

    @Test(arguments: ["aws-get-access-key-last-used", "moto-get-access-key-last-used", "moto-get-access-key-last-used-never"])
    func lastUsed(fixture: String) async throws {
        let used = try await Fixtures.client(answering: fixture).getAccessKeyLastUsed(AccessKeyID("AKIA1"), credentials: credentials)
        switch fixture {
        case "aws-get-access-key-last-used":
            #expect(used == AccessKeyLastUse(date: Date(timeIntervalSince1970: 1_426_243_500), serviceName: "iam", region: "us-east-1"))
        case "moto-get-access-key-last-used":
            #expect(used.date != nil && used.serviceName == "iam" && used.region == "us-east-1")
        default:
            #expect(used == AccessKeyLastUse(date: nil, serviceName: "N/A", region: "N/A"))
        }
    }

    @Test(arguments: ["aws-get-caller-identity", "moto-get-caller-identity"])
    func callerIdentity(fixture: String) async throws {
        let identity = try await Fixtures.client(answering: fixture).getCallerIdentity(credentials: credentials)
        #expect(identity.account == "123456789012")
        if fixture.hasPrefix("aws") {
            #expect(identity == CallerIdentity(account: "123456789012", arn: "arn:aws:iam::123456789012:user/Alice", userID: "AKIAI44QH8DHBEXAMPLE"))
        } else {
            #expect(identity.arn == "arn:aws:sts::123456789012:user/moto")
        }
    }

    @Test(arguments: [
        ("aws-error-expired-token", 403, "ExpiredToken", "The security token included in the request is expired", "689b4496-ca92-11e5-9a31-4932678efe5c"),
        ("moto-error-limit-exceeded", 409, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", "WegDQsx4TTy8XZAt6GVwphuyJBAzR8EbGXmaoGYuKda9XlcC7Lox"),
        ("moto-error-no-such-entity", 404, "NoSuchEntity", "The user with name nobody cannot be found.", "jRDbLimRfY1TxR5dxQA9azEW16ikEZZrcaGJ5KcJSv5AmSYk0KmE"),
        ("moto-error-invalid-client-token-id", 403, "InvalidClientTokenId", "The security token included in the request is invalid.", nil),
        ("moto-error-signature-does-not-match", 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.", nil),
    ] as [(String, Int, String, String, String?)])
    func errorBodies(fixture: String, status: Int, code: String, message: String, requestID: String?) async throws {
        let client = try Fixtures.client(answering: fixture, status: status)
        let error = await #expect(throws: IAMError.self) {
            _ = try await client.listAccessKeys(userName: "nobody", credentials: credentials)
        }
        #expect(error?.answer?.code == code)
        #expect(error?.answer?.message == message)
        #expect(error?.answer?.httpStatus == status)
        #expect(error?.answer?.requestID == requestID)
        #expect(error?.action == "ListAccessKeys")
        #expect(error?.description.contains("IAM ListAccessKeys failed with \(code)") == true)
    }

    @Test func successBodyThatIsNotXMLIsAnInvalidResponse() async throws {
        let client = Fixtures.client(transport: ClosureTransport { _, _ in HTTPResponseData(status: 200, body: Array("<html".utf8)) })
        let error = await #expect(throws: IAMError.self) {
            _ = try await client.getCallerIdentity(credentials: credentials)
        }
        #expect(error?.code == .invalidResponse)
    }

    @Test func successBodyMissingElementsIsAnInvalidResponse() async throws {
        let client = Fixtures.client(transport: ClosureTransport { _, _ in
            HTTPResponseData(status: 200, body: Array("<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>x</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>".utf8))
        })
        let error = await #expect(throws: IAMError.self) {
            _ = try await client.getCallerIdentity(credentials: credentials)
        }
        #expect(error?.code == .invalidResponse)
        #expect(error?.endpoint == Fixtures.endpoints.sts.url.absoluteString)
        #expect(error?.description.contains("GetCallerIdentity") == true)
    }
}
