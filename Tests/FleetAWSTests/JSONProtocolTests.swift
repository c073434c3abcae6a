import AWSSigV4
import FleetAWS
import Foundation
import IAMClient
import KeyrotCore
import KeyrotTestSupport
import Testing

/// The JSON 1.0 / 1.1 wire protocol: request shape and signature, typed errors from `__type`,
/// retries, and neutralised peer text, over a closure transport.
@Suite struct JSONProtocolTests {
    static let ok = HTTPResponseData(status: 200, body: FleetFixtures.json(#"{"ARN":"arn","Name":"n","VersionIdsToStages":{}}"#))

    @Test func secretsManagerSpeaksJSON11WithItsTargetAndSignsIt() async throws {
        let requests = Requests()
        let client = SecretsManagerClient(json: FleetFixtures.client(.secretsManager(FleetFixtures.secretsManagerEndpoint),
                                                                     transport: requests.scripted([.success(Self.ok)])))
        _ = try await client.describeSecret("fleet/key", credentials: FleetFixtures.signer)
        let request = try #require(requests.all.first)
        #expect(request.method == "POST")
        #expect(request.url.absoluteString == "https://secretsmanager.eu-west-1.amazonaws.com")
        #expect(request.header("Content-Type") == "application/x-amz-json-1.1")
        #expect(request.header("X-Amz-Target") == "secretsmanager.DescribeSecret")
        #expect(request.header("Host") == "secretsmanager.eu-west-1.amazonaws.com")
        let authorization = try #require(request.header("Authorization"))
        #expect(authorization.contains("Credential=AKIDEXAMPLE/20251129/eu-west-1/secretsmanager/aws4_request"))
        #expect(authorization.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-target"))
        #expect(requests.body(0) == .object(["SecretId": .string("fleet/key")]))
    }

    @Test func dynamoDBSpeaksJSON10WithItsTarget() async throws {
        let requests = Requests()
        let client = DynamoDBClient(json: FleetFixtures.client(.dynamoDB(FleetFixtures.dynamoDBEndpoint),
                                                               transport: requests.scripted([.success(HTTPResponseData(status: 200, body: FleetFixtures.json("{}")))])))
        let item = try await client.getItem("fleet", key: ["pk": .string("lease")], credentials: FleetFixtures.signer)
        #expect(item == nil)
        let request = try #require(requests.all.first)
        #expect(request.header("Content-Type") == "application/x-amz-json-1.0")
        #expect(request.header("X-Amz-Target") == "DynamoDB_20120810.GetItem")
        #expect(try #require(request.header("Authorization")).contains("/eu-west-1/dynamodb/aws4_request"))
        #expect(requests.body(0) == .object(["TableName": .string("fleet"), "Key": .object(["pk": .object(["S": .string("lease")])]),
                                             "ConsistentRead": .bool(true)]))
    }

    /// The typed code comes from `__type` (with or without its namespace) or the header, never the message.
    @Test(arguments: [
        ("com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", AWSServiceError.Code.conditionalCheckFailed, 400),
        ("ResourceNotFoundException", .resourceNotFound, 400), ("ResourceExistsException", .resourceExists, 400),
        ("com.amazonaws.dynamodb.v20120810#ResourceInUseException", .resourceInUse, 400),
        ("AccessDeniedException", .accessDenied, 400), ("UnrecognizedClientException", .unknownAccessKey, 400),
        ("InvalidSignatureException", .wrongSecret, 400), ("InvalidRequestException", .invalidRequest, 400),
        ("ValidationException", .invalidRequest, 400), ("SomethingNew", .rejected, 400),
        ("InternalServiceError", .serviceFailure, 500), ("ThrottlingException", .throttled, 400),
        ("ProvisionedThroughputExceededException", .throttled, 400),
    ])
    func errorAnswersAreTypedByTheirType(type: String, code: AWSServiceError.Code, status: Int) async throws {
        // The message names another code: it must not decide anything.
        let body = FleetFixtures.json(#"{"__type":"\#(type)","message":"ResourceNotFoundException AccessDeniedException"}"#)
        let client = FleetFixtures.client(.dynamoDB(FleetFixtures.dynamoDBEndpoint), policy: RetryPolicy(maxAttempts: 1),
                                          transport: ClosureTransport { _, _ in HTTPResponseData(status: status, body: body) })
        let error = await #expect(throws: AWSServiceError.self) {
            _ = try await client.perform("PutItem", .object([:]), credentials: FleetFixtures.signer)
        }
        #expect(error?.code == code)
        #expect(error?.answer?.httpStatus == status)
        #expect(error?.operation == "PutItem")
        #expect(error?.service == "dynamodb")
    }

    @Test func theHeaderNamesTheCodeWhenTheBodyDoesNot() async throws {
        let client = FleetFixtures.client(.dynamoDB(FleetFixtures.dynamoDBEndpoint), policy: RetryPolicy(maxAttempts: 1),
                                          transport: ClosureTransport { _, _ in
            HTTPResponseData(status: 400, headers: [HTTPHeaderField(name: "x-amzn-ErrorType", value: "ResourceNotFoundException:http://internal.amazon.com/")],
                             body: FleetFixtures.json("not json"))
        })
        let error = await #expect(throws: AWSServiceError.self) { _ = try await client.perform("GetItem", .object([:]), credentials: FleetFixtures.signer) }
        #expect(error?.code == .resourceNotFound)
        #expect(error?.answer?.code == "ResourceNotFoundException")
    }

    /// moto's authentication layer answers JSON services with AWS error XML.
    @Test func anXMLAuthenticationErrorIsTypedToo() async throws {
        let body = FleetFixtures.json("<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>not authorized</Message></Error></Errors></ErrorResponse>")
        let client = FleetFixtures.client(.secretsManager(FleetFixtures.secretsManagerEndpoint), policy: RetryPolicy(maxAttempts: 1),
                                          transport: ClosureTransport { _, _ in HTTPResponseData(status: 403, body: body) })
        let error = await #expect(throws: AWSServiceError.self) { _ = try await client.perform("GetSecretValue", .object([:]), credentials: FleetFixtures.signer) }
        #expect(error?.code == .accessDenied)
        #expect(error?.description.contains("keyrotd policy") == true)
    }

    @Test func peerTextIsNeutralisedBeforeItReachesADescription() async throws {
        let body = FleetFixtures.json(#"{"__type":"Bad\u001b[31m#Resource\u2028NotFoundException","message":"line\nforged\u202eevil"}"#)
        let client = FleetFixtures.client(.dynamoDB(FleetFixtures.dynamoDBEndpoint), policy: RetryPolicy(maxAttempts: 1),
                                          transport: ClosureTransport { _, _ in HTTPResponseData(status: 400, body: body) })
        let error = await #expect(throws: AWSServiceError.self) { _ = try await client.perform("GetItem", .object([:]), credentials: FleetFixtures.signer) }
        let text = try #require(error?.description)
        #expect(!text.contains("\n") && !text.contains("\u{1b}") && !text.contains("\u{202e}") && !text.contains("\u{2028}"))
        #expect(error?.code == .rejected, "a code mangled by control characters is no known code")
    }

    @Test func throttlingAndServerFailuresAreRetriedAndReSigned() async throws {
        let requests = Requests()
        let client = FleetFixtures.client(.secretsManager(FleetFixtures.secretsManagerEndpoint), policy: RetryPolicy(baseDelay: .seconds(2)),
                                          transport: requests.scripted([
            .success(HTTPResponseData(status: 400, body: FleetFixtures.json(#"{"__type":"ThrottlingException"}"#))),
            .success(HTTPResponseData(status: 500, body: FleetFixtures.json(#"{"__type":"InternalServiceError"}"#))),
            .success(Self.ok),
        ]))
        _ = try await client.perform("DescribeSecret", .object([:]), credentials: FleetFixtures.signer)
        #expect(requests.all.count == 3)
        #expect(Set(requests.all.compactMap { $0.header("Authorization") }).count == 3)
    }

    /// A conditional write whose connection broke may have applied: never repeated blindly.
    @Test func aLostConnectionOfAConditionalWriteIsAmbiguousAndNotRepeated() async throws {
        let requests = Requests()
        struct Reset: Error {}
        let client = DynamoDBClient(json: FleetFixtures.client(.dynamoDB(FleetFixtures.dynamoDBEndpoint), transport: requests.scripted([
            .failure(IAMError(.connectionLost, detail: "reset", cause: Reset())),
        ])))
        let error = await #expect(throws: AWSServiceError.self) {
            try await client.putItem("t", item: ["pk": .string("x")], condition: DynamoDBExpression("attribute_not_exists(pk)"),
                                     credentials: FleetFixtures.signer)
        }
        #expect(error?.code == .ambiguous)
        #expect(error?.cause is IAMError)
        #expect(requests.all.count == 1)
    }

    @Test func anUnreachableEndpointIsRetriedAndKeepsItsCause() async throws {
        let requests = Requests()
        let client = FleetFixtures.client(.dynamoDB(FleetFixtures.dynamoDBEndpoint), policy: RetryPolicy(maxAttempts: 2),
                                          transport: requests.scripted([.failure(IAMError(.unreachable, detail: "refused"))]))
        let error = await #expect(throws: AWSServiceError.self) { _ = try await client.perform("GetItem", .object([:]), credentials: FleetFixtures.signer) }
        #expect(error?.code == .unreachable)
        #expect(error?.attempts == 2)
        #expect((error?.cause as? IAMError)?.code == .unreachable)
    }

    @Test func theConditionFailuresItemIsKeptApartFromTheDescription() async throws {
        let body = FleetFixtures.json(#"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed","Item":{"pk":{"S":"lease"},"owner":{"S":"host-b"},"rvn":{"S":"r2"}}}"#)
        let client = DynamoDBClient(json: FleetFixtures.client(.dynamoDB(FleetFixtures.dynamoDBEndpoint),
                                                               transport: ClosureTransport { _, _ in HTTPResponseData(status: 400, body: body) }))
        let store = DynamoDBLeaseStore(client: client, table: "t") { FleetFixtures.signer }
        let result = try await store.write(LeaseWrite(owner: "host-a", rvn: "r3", leaseDuration: .seconds(60)), expecting: .unchanged(rvn: "r1"))
        #expect(result == .conflict(LeaseItem(owner: "host-b", rvn: "r2", leaseDuration: nil)))
    }
}
