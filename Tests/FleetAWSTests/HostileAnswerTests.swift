import FleetAWS
import Foundation
import IAMClient
import KeyrotCore
import KeyrotTestSupport
import Testing

/// Answers no AWS service sends: each becomes a typed error, never a crash, a hang or a wrong result.
@Suite struct HostileAnswerTests {
    static func dynamo(answering status: Int = 200, _ body: [UInt8]) -> DynamoDBClient {
        DynamoDBClient(json: FleetFixtures.client(.dynamoDB(FleetFixtures.dynamoDBEndpoint), policy: RetryPolicy(maxAttempts: 1),
                                                  transport: ClosureTransport { _, _ in HTTPResponseData(status: status, body: body) }))
    }

    @Test(arguments: [
        Array(repeating: UInt8(ascii: "["), count: 100_000),
        Array("[1,2,3]".utf8),
        Array(#"{"Item": "#.utf8),
        [0xFF, 0xFE, 0x00],
        Array("<html>not json</html>".utf8),
    ])
    func aBodyThatIsNotAJSONObjectIsAnInvalidResponse(body: [UInt8]) async throws {
        let error = await #expect(throws: AWSServiceError.self) {
            _ = try await Self.dynamo(body).getItem("t", key: ["pk": .string("lease")], credentials: FleetFixtures.signer)
        }
        #expect(error?.code == .invalidResponse)
        #expect(error?.operation == "GetItem")
    }

    @Test(arguments: [
        #"{"Item": {"pk": {"S": "lease"}, "owner": {"SS": ["a", "b"]}}}"#,
        #"{"Item": {"pk": {"S": "lease", "N": "1"}}}"#,
        #"{"Item": {"pk": "lease"}}"#,
        #"{"Item": ["pk"]}"#,
    ])
    func anItemOfUnknownShapeIsAnInvalidResponse(body: String) async throws {
        let error = await #expect(throws: AWSServiceError.self) {
            _ = try await Self.dynamo(FleetFixtures.json(body)).getItem("t", key: ["pk": .string("lease")], credentials: FleetFixtures.signer)
        }
        #expect(error?.code == .invalidResponse)
    }

    @Test func anErrorAnswerWithoutTypeOrJSONIsTypedByItsStatus() async throws {
        for (status, code) in [(500, AWSServiceError.Code.serviceFailure), (400, .rejected), (403, .rejected)] {
            let error = await #expect(throws: AWSServiceError.self) {
                _ = try await Self.dynamo(answering: status, Array(repeating: UInt8(ascii: "{"), count: 10_000))
                    .getItem("t", key: ["pk": .string("x")], credentials: FleetFixtures.signer)
            }
            #expect(error?.code == code)
            #expect(error?.answer?.code == "HTTP\(status)")
        }
    }

    @Test func anOverlongPeerMessageIsBounded() async throws {
        let message = String(repeating: "x", count: 100_000)
        let error = await #expect(throws: AWSServiceError.self) {
            _ = try await Self.dynamo(answering: 400, FleetFixtures.json(#"{"__type":"ValidationException","message":"\#(message)"}"#))
                .getItem("t", key: ["pk": .string("x")], credentials: FleetFixtures.signer)
        }
        #expect((error?.description.count ?? .max) < 2_000)
    }
}
