import FleetCoordination
import Foundation
import IAMClient
import KeyrotCore

/// The coordination's `FleetKeyService` over keyrotd's IAM/STS client, for the configured user.
struct FleetKeyServiceAdapter: FleetKeyService {
    let client: IAMClient
    let user: String

    func listKeys(signedWith signer: Credentials) async throws -> [AccessKeyMetadata] {
        try await FleetPortErrorMapping.classified { try await client.listAccessKeys(userName: user, credentials: signer) }
    }

    func createKey(signedWith signer: Credentials) async throws -> Credentials {
        try await FleetPortErrorMapping.classified { try await client.createAccessKey(userName: user, credentials: signer).credentials }
    }

    func checkWorks(_ pair: Credentials) async throws {
        _ = try await FleetPortErrorMapping.classified { try await client.getCallerIdentity(credentials: pair) }
    }

    func deactivate(_ keyID: AccessKeyID, signedWith signer: Credentials) async throws {
        try await FleetPortErrorMapping.classified {
            try await client.updateAccessKey(keyID, status: .inactive, userName: user, credentials: signer)
        }
    }

    func delete(_ keyID: AccessKeyID, signedWith signer: Credentials) async throws {
        try await FleetPortErrorMapping.classified { try await client.deleteAccessKey(keyID, userName: user, credentials: signer) }
    }

    func lastUsed(_ keyID: AccessKeyID, signedWith signer: Credentials) async throws -> AccessKeyLastUse {
        try await FleetPortErrorMapping.classified { try await client.getAccessKeyLastUsed(keyID, credentials: signer) }
    }
}
