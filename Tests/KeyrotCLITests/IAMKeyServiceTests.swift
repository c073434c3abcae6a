@testable import KeyrotCLI
import IAMClient
import KeyrotCore
import KeyrotTestSupport
import RotationEngine
import Testing

/// The IAM adapter hands the engine a port error chosen by the IAM error's typed code, never by
/// its text, and keeps the operator-facing description.
@Suite("The IAM adapter's error mapping") struct IAMKeyServiceTests {
    static let credentials = Credentials(accessKeyID: AccessKeyID("AKIAIOSFODNN7EXAMPLE"), secretAccessKey: Secret("s"))

    static func service(answering status: Int, _ body: String = "") throws -> IAMKeyService {
        let client = IAMClient(endpoints: try IAMEndpoints.aws(region: "eu-west-1"),
                               transport: ClosureTransport { _, _ in HTTPResponseData(status: status, body: Array(body.utf8)) },
                               retryPolicy: RetryPolicy(maxAttempts: 1), clock: TestClock())
        return IAMKeyService(client: client)
    }

    static func awsError(_ code: String) -> String {
        "<ErrorResponse><Error><Code>\(code)</Code><Message>m</Message></Error></ErrorResponse>"
    }

    @Test(arguments: [
        ("NoSuchEntity", RotationPortError.Code.noSuchEntity), ("AccessDenied", .accessDenied),
        ("LimitExceeded", .failed), ("Throttling", .failed),
    ])
    func awsAnswers(awsCode: String, portCode: RotationPortError.Code) async throws {
        let error = await #expect(throws: RotationPortError.self) {
            _ = try await Self.service(answering: 400, Self.awsError(awsCode)).listAccessKeys(user: "u", signedWith: Self.credentials)
        }
        #expect(error?.code == portCode)
        #expect(error?.message.contains("IAM ListAccessKeys failed with \(awsCode)") == true)
    }

    @Test func aLostConnectionIsUnreachableAndAnUnreadableAnswerIsNot() async throws {
        let lost = IAMKeyService(client: IAMClient(
            endpoints: try IAMEndpoints.aws(region: "eu-west-1"),
            transport: ClosureTransport { _, _ in throw IAMError(.connectionLost, detail: "reset") },
            retryPolicy: RetryPolicy(maxAttempts: 1), clock: TestClock()))
        let unreachable = await #expect(throws: RotationPortError.self) {
            _ = try await lost.callerIdentity(signedWith: Self.credentials)
        }
        #expect(unreachable?.code == .unreachable)
        let invalid = await #expect(throws: RotationPortError.self) {
            _ = try await Self.service(answering: 200, "<html>").callerIdentity(signedWith: Self.credentials)
        }
        #expect(invalid?.code == .failed)
    }
}
