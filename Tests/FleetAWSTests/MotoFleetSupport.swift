import FleetAWS
import Foundation
import IAMClient
import KeyrotConfig
import KeyrotCore
import KeyrotTestSupport

/// Secrets Manager and DynamoDB clients for the shared moto (authentication on), and a user
/// allowed exactly what a fleet host needs.
struct MotoFleet {
    /// Exactly the actions of `keyrotd policy`'s fleet statements: every moto test of a host's call
    /// signs with a user allowed these and nothing else. (On Resource "*": moto authorizes Secrets
    /// Manager and DynamoDB calls against "*" only, so the statements' ARNs would deny everything here.)
    static let hostActions = IAMPolicyDocument.fleetSecretActions + IAMPolicyDocument.fleetTableActions

    let moto: MotoServer
    let secrets: SecretsManagerClient
    let dynamo: DynamoDBClient
    var admin: Credentials { moto.adminCredentials }

    init(clock: any KeyrotClock = SystemClock()) async throws {
        moto = try await MotoServer.shared()
        let transport = AsyncHTTPClientTransport(proxySettings: ProxySettings(proxyHost: nil))
        let policy = RetryPolicy(maxAttempts: 2, deadline: .seconds(20), baseDelay: .milliseconds(50), requestTimeout: .seconds(10))
        func client(_ service: JSONService) -> AWSJSONClient {
            AWSJSONClient(service: service, transport: transport, retryPolicy: policy, clock: clock)
        }
        secrets = SecretsManagerClient(json: client(.secretsManager(
            try ServiceEndpoint(url: moto.url, signingRegion: "us-east-1", signingService: "secretsmanager"))))
        dynamo = DynamoDBClient(json: client(.dynamoDB(
            try ServiceEndpoint(url: moto.url, signingRegion: "us-east-1", signingService: "dynamodb"))))
    }

    /// A new user whose inline policy allows exactly `actions`.
    func user(allowing actions: [String] = hostActions) async throws -> Credentials {
        try await moto.makeUser(name: MotoServer.uniqueName("fleet-host"), policy: MotoServer.policy(allowing: actions))
    }

    /// A new table (made with the admin key) with the string partition key `pk`.
    func table() async throws -> String {
        let name = MotoServer.uniqueName("keyrotd-fleet")
        _ = try await dynamo.createTable(name, credentials: admin)
        return name
    }

    /// A key pair in the shape IAM issues, for the secret's value (never used to sign).
    static func pair(_ number: Int) -> Credentials {
        let digits = String(number)
        return Credentials(accessKeyID: try! AccessKeyID("AKIAFLEET" + String(repeating: "0", count: 11 - digits.count) + digits),
                           secretAccessKey: Secret("fleet-secret-\(number)-" + UUID().uuidString))
    }
}
