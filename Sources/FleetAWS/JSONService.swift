import IAMClient

/// One JSON-protocol service: where requests go, how they are signed and which target prefix and
/// protocol version they speak.
public struct JSONService: Sendable, Hashable {
    public let endpoint: ServiceEndpoint
    /// `secretsmanager` or `DynamoDB_20120810`: `X-Amz-Target` is `<prefix>.<Operation>`.
    public let targetPrefix: String
    /// `application/x-amz-json-1.1` (Secrets Manager) or `application/x-amz-json-1.0` (DynamoDB).
    public let contentType: String

    public init(endpoint: ServiceEndpoint, targetPrefix: String, contentType: String) {
        self.endpoint = endpoint
        self.targetPrefix = targetPrefix
        self.contentType = contentType
    }

    /// Secrets Manager at `endpoint` (signed for service `secretsmanager`): JSON 1.1.
    public static func secretsManager(_ endpoint: ServiceEndpoint) -> JSONService {
        JSONService(endpoint: endpoint, targetPrefix: "secretsmanager", contentType: "application/x-amz-json-1.1")
    }

    /// DynamoDB at `endpoint` (signed for service `dynamodb`): JSON 1.0.
    public static func dynamoDB(_ endpoint: ServiceEndpoint) -> JSONService {
        JSONService(endpoint: endpoint, targetPrefix: "DynamoDB_20120810", contentType: "application/x-amz-json-1.0")
    }
}
