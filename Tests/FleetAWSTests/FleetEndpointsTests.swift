import FleetAWS
import Foundation
import IAMClient
import KeyrotCore
import Testing

@Suite struct FleetEndpointsTests {
    @Test func theRegionalEndpointsOfThePartitionAreSignedForTheRegion() throws {
        let endpoints = try FleetEndpoints.configured(partition: .awsCN, region: "cn-north-1", secretsManagerURL: nil, dynamoDBURL: nil)
        #expect(endpoints.secretsManager.url.absoluteString == "https://secretsmanager.cn-north-1.amazonaws.com.cn")
        #expect(endpoints.secretsManager.signingService == "secretsmanager" && endpoints.secretsManager.signingRegion == "cn-north-1")
        #expect(endpoints.dynamoDB.url.absoluteString == "https://dynamodb.cn-north-1.amazonaws.com.cn")
        #expect(endpoints.dynamoDB.signingService == "dynamodb")
    }

    @Test func anOverrideReplacesTheURLAndKeepsTheScope() throws {
        let endpoints = try FleetEndpoints.configured(partition: .aws, region: "eu-west-1", secretsManagerURL: URL(string: "http://127.0.0.1:5000"),
                                                      dynamoDBURL: URL(string: "https://vpce-1.dynamodb.eu-west-1.vpce.amazonaws.com"))
        #expect(endpoints.secretsManager.url.absoluteString == "http://127.0.0.1:5000")
        #expect(endpoints.secretsManager.signingRegion == "eu-west-1" && endpoints.secretsManager.signingService == "secretsmanager")
        #expect(endpoints.dynamoDB.signingService == "dynamodb")
    }

    @Test func plainHTTPOffLoopbackIsRefused() {
        let error = #expect(throws: EndpointError.self) {
            _ = try FleetEndpoints.configured(partition: .aws, region: "eu-west-1", secretsManagerURL: nil, dynamoDBURL: URL(string: "http://10.1.2.3:8000"))
        }
        #expect(error?.code == .plainHTTPNotLoopback)
    }
}
