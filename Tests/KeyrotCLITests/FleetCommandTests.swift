import FleetAWS
import Foundation
import IAMClient
import KeyrotCore
import KeyrotTestSupport
import Testing

/// `keyrotd fleet init`, `keyrotd fleet status` and `keyrotd policy` with a `fleet:` section: the
/// real binary against moto with authentication on, signing with the files' key.
@Suite("keyrotd fleet against moto", .enabled(if: Repository.shouldRunIntegration, Comment(rawValue: Repository.skipReason)), .serialized)
struct FleetCommandTests {
    static func fleetSection(_ site: RotationSite) -> String {
        "  secret_id: keyrotd/\(site.moto.user)\n  lock_table: keyrotd-fleet\n  host_id: emr-runner-1\n"
    }

    /// The admin's view of the secret and table, through keyrotd's own clients.
    static func clients(_ site: RotationSite) throws -> (SecretsManagerClient, DynamoDBClient) {
        let url = try #require(URL(string: site.moto.endpoint))
        let transport = AsyncHTTPClientTransport(proxySettings: ProxySettings(proxyHost: nil))
        return (SecretsManagerClient(json: AWSJSONClient(service: .secretsManager(
                    try ServiceEndpoint(url: url, signingRegion: "us-east-1", signingService: "secretsmanager")), transport: transport)),
                DynamoDBClient(json: AWSJSONClient(service: .dynamoDB(
                    try ServiceEndpoint(url: url, signingRegion: "us-east-1", signingService: "dynamodb")), transport: transport)))
    }

    @Test("init creates the table and the secret from the files' pair, once; status shows the stages and no lease; no secret printed")
    func initThenStatus() async throws {
        try await RotationSite.with(fleet: .hostAndInit) { site in
            try site.writeConfiguration(fleet: Self.fleetSection(site))
            let before = try site.snapshot()
            let first = try await site.keyrotd("fleet", "init")
            #expect(first.status == 0, "\(first)")
            #expect(first.stdout.contains("table keyrotd-fleet: created"), "\(first)")
            #expect(first.stdout.contains("secret keyrotd/\(site.moto.user): created holding \(site.moto.accessKeyID)"), "\(first)")

            let (secrets, _) = try Self.clients(site)
            let stored = try await secrets.getSecretValue("keyrotd/\(site.moto.user)", .stage(SecretStage.current), credentials: site.moto.adminCredentials)
            #expect(stored.credentials == Credentials(accessKeyID: try AccessKeyID(site.moto.accessKeyID), secretAccessKey: Secret(site.moto.secretAccessKey)))
            #expect(stored.versionID == RotationToken(rotation: 0).rawValue)

            let again = try await site.keyrotd("fleet", "init")
            #expect(again.status == 0, "\(again)")
            #expect(again.stdout.contains("table keyrotd-fleet: exists") && again.stdout.contains("holds \(site.moto.accessKeyID) as the files do"), "\(again)")

            let status = try await site.keyrotd("fleet", "status", "--json")
            #expect(status.status == 0, "\(status)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any], "\(status)")
            #expect(object["host"] as? String == "emr-runner-1")
            let secret = try #require(object["secret"] as? [String: Any])
            #expect(secret["versions"] as? [String: [String]] == [RotationToken(rotation: 0).rawValue: ["AWSCURRENT"]])
            #expect(object["lease"] == nil, "no host has taken the lease")
            let text = try await site.keyrotd("fleet", "status")
            #expect(text.status == 0 && text.stdout.contains("lease: never taken"), "\(text)")

            for result in [first, again, status, text] {
                SecretLeaks.expectNone(in: result, secrets: [site.moto.secretAccessKey])
            }
            #expect(try site.snapshot() == before, "fleet commands never touch the files")
        }
    }

    @Test("check with a fleet: section: says to init, then to join, and passes once this host joined; changes nothing")
    func checkKnowsTheFleet() async throws {
        try await RotationSite.with(fleet: .hostAndInit) { site in
            try site.writeConfiguration(fleet: Self.fleetSection(site))
            let before = try site.snapshot()
            let uninitialised = try await site.keyrotd("check")
            #expect(uninitialised.status == 1 && uninitialised.stdout.contains("`keyrotd fleet init`"), "\(uninitialised)")

            #expect(try await site.keyrotd("fleet", "init").status == 0)
            let unjoined = try await site.keyrotd("check")
            #expect(unjoined.status == 1, "\(unjoined)")
            #expect(unjoined.stdout.contains("this host (host_id emr-runner-1) has not joined; run `keyrotd fleet join`"), "\(unjoined)")

            #expect(try await site.keyrotd("fleet", "join").status == 0)
            let joined = try await site.keyrotd("check")
            #expect(joined.status == 0, "\(joined)")
            #expect(joined.stdout.contains("fleet: this host (host_id emr-runner-1) holds version \(RotationToken(rotation: 0).rawValue) (AWSCURRENT)"),
                    "\(joined)")
            for result in [uninitialised, unjoined, joined] {
                SecretLeaks.expectNone(in: result, secrets: [site.moto.secretAccessKey])
            }
            #expect(try site.snapshot() == before, "check never touches the files")
        }
    }

    @Test("init without the rights to create says which action is missing and creates nothing")
    func initWithoutRights() async throws {
        try await RotationSite.with(fleet: .host) { site in
            try site.writeConfiguration(fleet: Self.fleetSection(site))
            let result = try await site.keyrotd("fleet", "init")
            #expect(result.status == 1, "\(result)")
            #expect(result.stderr.contains("dynamodb:CreateTable"), "\(result)")
            let (secrets, dynamo) = try Self.clients(site)
            let table = await #expect(throws: AWSServiceError.self) {
                _ = try await dynamo.describeTable("keyrotd-fleet", credentials: site.moto.adminCredentials)
            }
            #expect(table?.code == .resourceNotFound)
            let secret = await #expect(throws: AWSServiceError.self) {
                _ = try await secrets.describeSecret("keyrotd/\(site.moto.user)", credentials: site.moto.adminCredentials)
            }
            #expect(secret?.code == .resourceNotFound)
        }
    }

    @Test("init refuses a secret that holds another key, and changes nothing")
    func initRefusesAnotherKey() async throws {
        try await RotationSite.with(fleet: .hostAndInit) { site in
            try site.writeConfiguration(fleet: Self.fleetSection(site))
            let (secrets, _) = try Self.clients(site)
            let other = Credentials(accessKeyID: AccessKeyID("AKIAOTHER00000000001"), secretAccessKey: Secret("other-secret-value"))
            _ = try await secrets.createSecret(name: "keyrotd/\(site.moto.user)", pair: other, token: RotationToken(rotation: 5),
                                               credentials: site.moto.adminCredentials)
            let result = try await site.keyrotd("fleet", "init")
            #expect(result.status == 1, "\(result)")
            #expect(result.stderr.contains("AKIAOTHER00000000001") && result.stderr.contains("nothing was changed"), "\(result)")
            SecretLeaks.expectNone(in: result, secrets: [site.moto.secretAccessKey, "other-secret-value"])
            let stages = try await secrets.describeSecret("keyrotd/\(site.moto.user)", credentials: site.moto.adminCredentials)
            #expect(stages.versionStages == [RotationToken(rotation: 5).rawValue: ["AWSCURRENT"]])
        }
    }

    @Test("without a fleet: section the fleet commands exit 78; policy then prints only the IAM statement, with it all three")
    func withoutAndWithFleetSection() async throws {
        try await RotationSite.with { site in
            let status = try await site.keyrotd("fleet", "status")
            #expect(status.status == 78, "\(status)")
            #expect(status.stderr.contains("no `fleet:` section"), "\(status)")
            let alone = try await site.keyrotd("policy", "--account", "123456789012")
            #expect(alone.status == 0 && !alone.stdout.contains("secretsmanager") && !alone.stdout.contains("dynamodb"), "\(alone)")

            try site.writeConfiguration(fleet: Self.fleetSection(site))
            let fleet = try await site.keyrotd("policy", "--account", "123456789012")
            #expect(fleet.status == 0, "\(fleet)")
            #expect(fleet.stdout.contains("arn:aws:secretsmanager:us-east-1:123456789012:secret:keyrotd/\(site.moto.user)-??????"), "\(fleet)")
            #expect(fleet.stdout.contains("arn:aws:dynamodb:us-east-1:123456789012:table/keyrotd-fleet"), "\(fleet)")
        }
    }
}
