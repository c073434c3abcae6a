import FleetAWS
import Foundation
import IAMClient
import KeyrotCore
import KeyrotTestSupport
import Testing

/// The pair's secret reaches the request body and the returned `Credentials`, and no text:
/// not a value's description, dump or mirror, not an error.
@Suite struct SecretRedactionTests {
    static func client(answering body: String, status: Int = 200, requests: Requests = Requests()) -> SecretsManagerClient {
        SecretsManagerClient(json: FleetFixtures.client(.secretsManager(FleetFixtures.secretsManagerEndpoint), policy: RetryPolicy(maxAttempts: 1),
                                                        transport: requests.scripted([.success(HTTPResponseData(status: status, body: FleetFixtures.json(body)))])))
    }

    static func secretString(_ pair: String) -> String {
        String(decoding: JSONValue.string(pair).serialized(), as: UTF8.self)
    }

    @Test func aReadVersionHoldsThePairAndNeverPrintsTheSecret() async throws {
        let value = #"{"AccessKeyId":"AKIAPAIR000000000001","SecretAccessKey":"\#(FleetFixtures.pairSecret)"}"#
        let answer = #"{"ARN":"arn","Name":"n","VersionId":"v1","VersionStages":["AWSCURRENT"],"SecretString":\#(Self.secretString(value))}"#
        let requests = Requests()
        let version = try await Self.client(answering: answer, requests: requests)
            .getSecretValue("fleet/key", .stage(SecretStage.current), credentials: FleetFixtures.signer)
        #expect(version.credentials == FleetFixtures.pair)
        #expect(version.versionID == "v1")
        #expect(version.stages == ["AWSCURRENT"])
        #expect(requests.body(0) == .object(["SecretId": .string("fleet/key"), "VersionStage": .string("AWSCURRENT")]))
        var dumped = ""
        dump(version, to: &dumped)
        for text in [version.description, "\(version)", String(reflecting: version), dumped, JSONValue.parse(FleetFixtures.json(answer))!.description] {
            #expect(!text.contains(FleetFixtures.pairSecret), "leaked in: \(text.prefix(80))")
        }
    }

    @Test func aVersionReadByIDAsksForThatVersion() async throws {
        let value = #"{"AccessKeyId":"AKIAPAIR000000000001","SecretAccessKey":"s"}"#
        let requests = Requests()
        _ = try await Self.client(answering: #"{"VersionId":"v9","SecretString":\#(Self.secretString(value))}"#, requests: requests)
            .getSecretValue("fleet/key", .versionID("v9"), credentials: FleetFixtures.signer)
        #expect(requests.body(0) == .object(["SecretId": .string("fleet/key"), "VersionId": .string("v9")]))
    }

    /// Values that are not a pair are refused with a reason that quotes nothing of the value,
    /// including a pair whose two values were swapped (the secret in the id's place).
    @Test(arguments: [
        "not json \(FleetFixtures.pairSecret)",
        #"{"AccessKeyId":"\#(FleetFixtures.pairSecret)","SecretAccessKey":"AKIAPAIR000000000001"}"#,
        #"{"SecretAccessKey":"\#(FleetFixtures.pairSecret)"}"#,
        #"{"AccessKeyId":"AKIAPAIR000000000001","SecretAccessKey":""}"#,
        #"["\#(FleetFixtures.pairSecret)"]"#,
    ])
    func aValueThatIsNotAPairIsRefusedWithoutQuotingIt(value: String) async throws {
        let answer = #"{"VersionId":"v1","SecretString":\#(Self.secretString(value))}"#
        let error = await #expect(throws: SecretValueError.self) {
            _ = try await Self.client(answering: answer).getSecretValue("fleet/key", .stage(SecretStage.current), credentials: FleetFixtures.signer)
        }
        let text = try #require(error?.description)
        #expect(!text.contains(FleetFixtures.pairSecret))
        #expect(text.contains("fleet/key") && text.contains("v1"))
    }

    @Test func aPutSendsThePairAsJSONStagedPendingUnderTheRotationToken() async throws {
        let requests = Requests()
        let token = RotationToken(rotation: 42)
        let version = try await Self.client(answering: #"{"ARN":"arn","Name":"n","VersionId":"\#(token)","VersionStages":["AWSPENDING"]}"#, requests: requests)
            .putPendingValue("fleet/key", pair: FleetFixtures.pair, token: token, credentials: FleetFixtures.signer)
        #expect(version == token.rawValue)
        #expect(token.rawValue == "keyrotd-rotation-00000000000000000042")
        let body = try #require(requests.body(0))
        #expect(body["ClientRequestToken"] == .string(token.rawValue))
        #expect(body["VersionStages"] == .array([.string("AWSPENDING")]))
        let stored = try #require(body["SecretString"]?.string.flatMap { JSONValue.parse(Array($0.utf8)) })
        #expect(stored == .object(["AccessKeyId": .string("AKIAPAIR000000000001"), "SecretAccessKey": .string(FleetFixtures.pairSecret)]))
        #expect(!"\(body)".contains(FleetFixtures.pairSecret))
    }

    @Test func aRejectedPutDoesNotEchoTheValue() async throws {
        let error = await #expect(throws: AWSServiceError.self) {
            try await Self.client(answering: #"{"__type":"ResourceExistsException","message":"exists"}"#, status: 400)
                .putPendingValue("fleet/key", pair: FleetFixtures.pair, token: RotationToken(rotation: 1), credentials: FleetFixtures.signer)
        }
        #expect(error?.code == .resourceExists)
        #expect(!(error?.description.contains(FleetFixtures.pairSecret) ?? true))
    }

    @Test func stageMovesNameBothVersionsAndRemovalsNameOnlyTheOldOne() async throws {
        let requests = Requests()
        let client = Self.client(answering: #"{"ARN":"arn","Name":"n"}"#, requests: requests)
        try await client.moveCurrent("fleet/key", to: "v2", from: "v1", credentials: FleetFixtures.signer)
        try await client.removeStage(SecretStage.pending, from: "v2", "fleet/key", credentials: FleetFixtures.signer)
        #expect(requests.body(0) == .object(["SecretId": .string("fleet/key"), "VersionStage": .string("AWSCURRENT"),
                                             "MoveToVersionId": .string("v2"), "RemoveFromVersionId": .string("v1")]))
        #expect(requests.body(1) == .object(["SecretId": .string("fleet/key"), "VersionStage": .string("AWSPENDING"),
                                             "RemoveFromVersionId": .string("v2")]))
        #expect(requests.all.allSatisfy { $0.header("X-Amz-Target") == "secretsmanager.UpdateSecretVersionStage" })
    }
}

/// What the JSON client logs while it retries a put: the operation, the status, the AWS code;
/// never the body, so never the pair's secret.
@Suite struct SecretLoggingTests {
    @Test func aRetriedPutLogsNoSecret() async throws {
        let log = LogRecorder()
        let requests = Requests()
        let transport = requests.scripted([
            .success(HTTPResponseData(status: 400, body: FleetFixtures.json(#"{"__type":"ThrottlingException","message":"slow down"}"#))),
            .failure(IAMError(.unreachable, detail: "refused")),
            .success(HTTPResponseData(status: 200, body: FleetFixtures.json(#"{"VersionId":"v2"}"#))),
        ])
        let json = AWSJSONClient(service: .secretsManager(FleetFixtures.secretsManagerEndpoint), transport: transport,
                                 clock: TestClock(), random: { 0.5 }, logger: log.logger())
        try await SecretsManagerClient(json: json).putPendingValue("fleet/key", pair: FleetFixtures.pair, token: RotationToken(rotation: 2),
                                                                   credentials: FleetFixtures.signer)
        #expect(requests.all.count == 3)
        #expect(log.entries.contains { $0.contains("ThrottlingException") }, "the retry is logged with its code: \(log.entries)")
        for entry in log.entries {
            #expect(!entry.contains(FleetFixtures.pairSecret) && !entry.contains(FleetFixtures.signer.secretAccessKey.revealed()))
        }
    }
}
