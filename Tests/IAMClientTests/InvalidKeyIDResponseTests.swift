import Foundation
import IAMClient
import KeyrotCore
import KeyrotTestSupport
import Testing

/// An IAM answer whose AccessKeyId is not an access key id is an invalid response: the value never
/// becomes a key id (it could be shown as one), and the error does not echo it.
@Suite struct InvalidKeyIDResponseTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

    static func client(answering body: String) -> IAMClient {
        Fixtures.client(transport: ClosureTransport { _, _ in HTTPResponseData(status: 200, body: Array(body.utf8)) })
    }

    /// Expects `call` to fail as an invalid (or, for CreateAccessKey, ambiguous) response that does not hold the secret.
    static func expectRefused(_ call: () async throws -> Void) async {
        do {
            try await call()
            Issue.record("a value that is not an access key id was accepted")
        } catch let error as IAMError {
            #expect(error.code == .invalidResponse || error.code == .ambiguous)
            #expect(!String(describing: error).contains(Self.secret))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func listWithSecretAsID() async {
        let body = "<ListAccessKeysResponse><ListAccessKeysResult><AccessKeyMetadata><member><UserName>u</UserName><AccessKeyId>\(Self.secret)</AccessKeyId><Status>Active</Status><CreateDate>2020-01-01T00:00:00Z</CreateDate></member></AccessKeyMetadata><IsTruncated>false</IsTruncated></ListAccessKeysResult></ListAccessKeysResponse>"
        await Self.expectRefused { _ = try await Self.client(answering: body).listAccessKeys(userName: "u", credentials: Fixtures.credentials) }
    }

    @Test func createWithMalformedID() async {
        let body = "<CreateAccessKeyResponse><CreateAccessKeyResult><AccessKey><UserName>u</UserName><AccessKeyId>AKIA-not-an-id</AccessKeyId><Status>Active</Status><SecretAccessKey>\(Self.secret)</SecretAccessKey></AccessKey></CreateAccessKeyResult></CreateAccessKeyResponse>"
        await Self.expectRefused { _ = try await Self.client(answering: body).createAccessKey(userName: "u", credentials: Fixtures.credentials) }
    }
}
