import FoundationEssentials
import IAMClient
import KeyrotCore
import RotationEngine

/// The engine's `AccessKeyService` over keyrotd's own IAM/STS client.
///
/// IAM failures keep their full, operator-facing description (call, code, what to do); their typed
/// code is mapped only as far as the engine needs: missing entity, denied, unreachable, other.
struct IAMKeyService: AccessKeyService {
    let client: IAMClient

    func listAccessKeys(user: String, signedWith signer: Credentials) async throws -> [AccessKeyMetadata] {
        try await classified { try await client.listAccessKeys(userName: user, credentials: signer) }
    }

    func createAccessKey(user: String, signedWith signer: Credentials) async throws -> Credentials {
        try await classified { try await client.createAccessKey(userName: user, credentials: signer).credentials }
    }

    func updateAccessKey(user: String, keyID: AccessKeyID, status: AccessKeyStatus, signedWith signer: Credentials) async throws {
        try await classified { try await client.updateAccessKey(keyID, status: status, userName: user, credentials: signer) }
    }

    func deleteAccessKey(user: String, keyID: AccessKeyID, signedWith signer: Credentials) async throws {
        try await classified { try await client.deleteAccessKey(keyID, userName: user, credentials: signer) }
    }

    func accessKeyLastUsed(keyID: AccessKeyID, signedWith signer: Credentials) async throws -> AccessKeyLastUse {
        try await classified { try await client.getAccessKeyLastUsed(keyID, credentials: signer) }
    }

    func callerIdentity(signedWith signer: Credentials) async throws -> CallerIdentity {
        try await classified { try await client.getCallerIdentity(credentials: signer) }
    }

    private func classified<T>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let error as IAMError {
            throw RotationPortError(Self.portCode(error), error.description)
        }
    }

    static func portCode(_ error: IAMError) -> RotationPortError.Code {
        switch error.code {
        case .noSuchEntity: .noSuchEntity
        case .accessDenied: .accessDenied
        case _ where error.isTemporary: .unreachable
        default: .failed
        }
    }
}
