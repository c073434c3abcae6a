import FleetAWS
import Foundation
import IAMClient
import KeyrotConfig
import Logging

/// Fleet mode's AWS clients for a configuration with a `fleet:` section.
struct FleetRuntime {
    let settings: FleetSettings
    let secrets: SecretsManagerClient
    let dynamo: DynamoDBClient

    /// - Throws: ``CLIError`` (exit 78 by the caller) when the configuration has no `fleet:` section;
    ///   `EndpointError` for an unusable endpoint.
    init(_ configuration: KeyrotConfiguration, configPath: String, logger: Logger) throws {
        guard let settings = configuration.fleet else {
            throw CLIError("\(configPath) has no `fleet:` section; add one with secret_id and lock_table "
                + "(see the commented example in /etc/keyrotd/keyrotd.yml)")
        }
        let endpoints = try FleetEndpoints.configured(partition: configuration.aws.partition, region: configuration.aws.region,
                                                      secretsManagerURL: configuration.aws.secretsManagerEndpoint,
                                                      dynamoDBURL: configuration.aws.dynamoDBEndpoint)
        self.settings = settings
        secrets = SecretsManagerClient(json: AWSJSONClient(service: .secretsManager(endpoints.secretsManager), logger: logger))
        dynamo = DynamoDBClient(json: AWSJSONClient(service: .dynamoDB(endpoints.dynamoDB), logger: logger))
    }

    var leaseStoreKey: DynamoDBItem { ["pk": .string(DynamoDBLeaseStore.defaultKey)] }
}
