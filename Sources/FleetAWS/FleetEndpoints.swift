import Foundation
import IAMClient
import KeyrotCore

/// Where fleet mode reaches Secrets Manager and DynamoDB: the regional endpoints of the partition,
/// each signed for that region, unless an override (an emulator, a VPC endpoint) replaces the URL;
/// the signing scope stays the replaced endpoint's. Overrides follow the IAM/STS rule: https, or
/// plain http on a loopback host only (``ServiceEndpoint``).
public struct FleetEndpoints: Sendable, Hashable {
    public let secretsManager: ServiceEndpoint
    public let dynamoDB: ServiceEndpoint

    public init(secretsManager: ServiceEndpoint, dynamoDB: ServiceEndpoint) {
        self.secretsManager = secretsManager
        self.dynamoDB = dynamoDB
    }

    /// - Throws: `EndpointError` for an override that is not https or loopback http.
    public static func configured(partition: AWSPartition, region: String, secretsManagerURL: URL?, dynamoDBURL: URL?) throws -> FleetEndpoints {
        func endpoint(_ service: String, _ override: URL?) throws -> ServiceEndpoint {
            let text = "https://\(service).\(region).\(partition.dnsSuffix)"
            guard let url = override ?? URL(string: text) else { throw EndpointError(code: .invalidURL, endpoint: text) }
            return try ServiceEndpoint(url: url, signingRegion: region, signingService: service)
        }
        return FleetEndpoints(secretsManager: try endpoint("secretsmanager", secretsManagerURL), dynamoDB: try endpoint("dynamodb", dynamoDBURL))
    }
}
