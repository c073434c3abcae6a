import FleetAWS
import FleetCoordination
import Foundation
import KeyrotCore

/// The coordination's `FleetSecretStore` over the Secrets Manager client: the fleet's secret,
/// always read by stage or version id.
struct FleetSecretStoreAdapter: FleetSecretStore {
    let client: SecretsManagerClient
    let secretID: String

    func describeStages(signedWith signer: Credentials) async throws -> SecretStages {
        let described = try await FleetPortErrorMapping.classified { try await client.describeSecret(secretID, credentials: signer) }
        guard let current = described.version(holding: SecretStage.current) else {
            throw FleetPortError(.failed, "secret \(secretID) has no AWSCURRENT version; run `keyrotd fleet init` or inspect the secret")
        }
        return SecretStages(current: SecretVersionID(current),
                            pending: described.version(holding: SecretStage.pending).map(SecretVersionID.init),
                            previous: described.version(holding: SecretStage.previous).map(SecretVersionID.init))
    }

    func read(version: SecretVersionID, signedWith signer: Credentials) async throws -> FleetCoordination.SecretVersion {
        try await read(.versionID(version.rawValue), signer)
    }

    func readCurrent(signedWith signer: Credentials) async throws -> FleetCoordination.SecretVersion {
        try await read(.stage(SecretStage.current), signer)
    }

    func putPending(_ pair: Credentials, token: SecretVersionID, signedWith signer: Credentials) async throws {
        guard let token = RotationToken(token.rawValue) else {
            throw FleetPortError(.failed, "the rotation id \(token) is not a valid ClientRequestToken (32 to 64 letters, digits or -)")
        }
        try await FleetPortErrorMapping.classified {
            try await client.putPendingValue(secretID, pair: pair, token: token, credentials: signer)
        }
    }

    /// AWS refuses the move (as an invalid request) when `base` no longer holds AWSCURRENT and the
    /// client found that `version` does not either: a third version is current.
    func promote(_ version: SecretVersionID, replacing base: SecretVersionID, signedWith signer: Credentials) async throws {
        do {
            try await client.moveCurrent(secretID, to: version.rawValue, from: base.rawValue, credentials: signer)
        } catch let error as AWSServiceError where error.code == .invalidRequest {
            throw FleetPortError(.conditionFailed, "AWSCURRENT of \(secretID) is on neither \(base) nor \(version): \(error)", cause: error)
        } catch {
            try await FleetPortErrorMapping.classified { throw error }
        }
    }

    func removePending(from version: SecretVersionID, signedWith signer: Credentials) async throws {
        try await FleetPortErrorMapping.classified {
            try await client.removeStage(SecretStage.pending, from: version.rawValue, secretID, credentials: signer)
        }
    }

    private func read(_ selector: SecretVersionSelector, _ signer: Credentials) async throws -> FleetCoordination.SecretVersion {
        let version = try await FleetPortErrorMapping.classified { try await client.getSecretValue(secretID, selector, credentials: signer) }
        return FleetCoordination.SecretVersion(id: SecretVersionID(version.versionID), credentials: version.credentials)
    }
}
