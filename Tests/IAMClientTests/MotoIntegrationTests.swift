import Foundation
import IAMClient
import KeyrotCore
import KeyrotTestSupport
import Testing

/// Every call against a real moto_server with IAM authentication on.
@Suite(.enabled(if: MotoServer.shouldRun, "moto_server is not installed (pip install 'moto[server]'); set CI=true to make this a failure"))
struct MotoIntegrationTests {
    static let rotationActions = ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:UpdateAccessKey", "iam:ListAccessKeys",
                                  "iam:GetAccessKeyLastUsed"]

    @Test func everyTypedCallSucceedsWithTheRightKey() async throws {
        let moto = try await MotoServer.shared()
        let client = moto.client()
        let name = MotoServer.uniqueName("operator")
        let key = try await moto.makeUser(name: name, policy: MotoServer.policy(allowing: Self.rotationActions))

        let identity = try await client.getCallerIdentity(credentials: key)
        #expect(identity.arn == "arn:aws:iam::123456789012:user/\(name)")
        #expect(identity.account == "123456789012")

        let before = try await client.listAccessKeys(userName: name, credentials: key)
        #expect(before.map(\.keyID) == [key.accessKeyID])
        #expect(before.first?.status == .active)

        let created = try await client.createAccessKey(userName: name, credentials: key)
        #expect(created.userName == name)
        #expect(created.status == .active)
        #expect(Set(try await client.listAccessKeys(userName: name, credentials: key).map(\.keyID)) == [key.accessKeyID, created.credentials.accessKeyID])

        // The new key works on its own.
        #expect(try await client.getCallerIdentity(credentials: created.credentials).arn == identity.arn)
        let lastUsed = try await client.getAccessKeyLastUsed(created.credentials.accessKeyID, credentials: created.credentials)
        #expect(lastUsed.date != nil)

        try await client.updateAccessKey(key.accessKeyID, status: .inactive, userName: name, credentials: created.credentials)
        let statuses = try await client.listAccessKeys(userName: name, credentials: created.credentials)
        #expect(statuses.first { $0.keyID == key.accessKeyID }?.status == .inactive)

        try await client.deleteAccessKey(key.accessKeyID, userName: name, credentials: created.credentials)
        #expect(try await client.listAccessKeys(userName: name, credentials: created.credentials).map(\.keyID) == [created.credentials.accessKeyID])

        // The deleted key is gone for good.
        let error = await #expect(throws: IAMError.self) {
            _ = try await client.getCallerIdentity(credentials: key)
        }
        #expect(error?.code == .unknownAccessKey)
    }

    @Test func aWrongSecretIsSignatureDoesNotMatch() async throws {
        let moto = try await MotoServer.shared()
        let key = try await moto.makeUser(name: MotoServer.uniqueName("wrong-secret"), policy: MotoServer.policy(allowing: Self.rotationActions))
        let wrong = Credentials(accessKeyID: key.accessKeyID, secretAccessKey: Secret("not-the-secret"))
        let error = await #expect(throws: IAMError.self) {
            _ = try await moto.client().listAccessKeys(userName: nil, credentials: wrong)
        }
        #expect(error?.code == .wrongSecret)
        #expect(error?.answer?.httpStatus == 403)
        #expect(error?.description.contains("not-the-secret") == false)
    }

    @Test func anActionOutsideThePolicyIsAccessDenied() async throws {
        let moto = try await MotoServer.shared()
        let name = MotoServer.uniqueName("list-only")
        let key = try await moto.makeUser(name: name, policy: MotoServer.policy(allowing: ["iam:ListAccessKeys"]))
        let client = moto.client()
        #expect(try await client.listAccessKeys(userName: name, credentials: key).count == 1)
        let error = await #expect(throws: IAMError.self) {
            _ = try await client.createAccessKey(userName: name, credentials: key)
        }
        #expect(error?.code == .accessDenied)
        #expect(error?.description.contains("iam:CreateAccessKey") == true)
        #expect(error?.description.contains("keyrotd policy") == true)
    }

    @Test func aThirdKeyIsLimitExceeded() async throws {
        let moto = try await MotoServer.shared()
        let name = MotoServer.uniqueName("two-keys")
        let key = try await moto.makeUser(name: name, policy: MotoServer.policy(allowing: Self.rotationActions))
        let client = moto.client()
        _ = try await client.createAccessKey(userName: name, credentials: key)
        let error = await #expect(throws: IAMError.self) {
            _ = try await client.createAccessKey(userName: name, credentials: key)
        }
        #expect(error?.code == .limitExceeded)
        #expect(error?.answer?.httpStatus == 409)
        #expect(try await client.listAccessKeys(userName: name, credentials: key).count == 2)
    }

    @Test func anUnknownKeyIsInvalidClientTokenId() async throws {
        let moto = try await MotoServer.shared()
        let unknown = Credentials(accessKeyID: AccessKeyID("AKIAUNKNOWNKEY000000"), secretAccessKey: Secret("x"))
        let error = await #expect(throws: IAMError.self) {
            _ = try await moto.client().getCallerIdentity(credentials: unknown)
        }
        #expect(error?.code == .unknownAccessKey)
    }
}
