import Foundation
import KeyrotCore
import RotationEngine

// The ports wrapped with crash points (see `CrashPoints`), for the fault campaign.

struct CrashPointKeyService: AccessKeyService {
    let wrapped: any AccessKeyService

    func listAccessKeys(user: String, signedWith signer: Credentials) async throws -> [AccessKeyMetadata] {
        try await CrashPoints.around("ListAccessKeys") { try await wrapped.listAccessKeys(user: user, signedWith: signer) }
    }

    func createAccessKey(user: String, signedWith signer: Credentials) async throws -> Credentials {
        try await CrashPoints.around("CreateAccessKey") { try await wrapped.createAccessKey(user: user, signedWith: signer) }
    }

    func updateAccessKey(user: String, keyID: AccessKeyID, status: AccessKeyStatus, signedWith signer: Credentials) async throws {
        try await CrashPoints.around("UpdateAccessKey") {
            try await wrapped.updateAccessKey(user: user, keyID: keyID, status: status, signedWith: signer)
        }
    }

    func deleteAccessKey(user: String, keyID: AccessKeyID, signedWith signer: Credentials) async throws {
        try await CrashPoints.around("DeleteAccessKey") { try await wrapped.deleteAccessKey(user: user, keyID: keyID, signedWith: signer) }
    }

    func accessKeyLastUsed(keyID: AccessKeyID, signedWith signer: Credentials) async throws -> AccessKeyLastUse {
        try await CrashPoints.around("GetAccessKeyLastUsed") { try await wrapped.accessKeyLastUsed(keyID: keyID, signedWith: signer) }
    }

    func callerIdentity(signedWith signer: Credentials) async throws -> CallerIdentity {
        try await CrashPoints.around("GetCallerIdentity") { try await wrapped.callerIdentity(signedWith: signer) }
    }
}

struct CrashPointFileStore: CredentialFileStore {
    let wrapped: any CredentialFileStore

    func read(path: String) async throws -> RotationEngine.CredentialFileSnapshot {
        try await CrashPoints.around("readFile") { try await wrapped.read(path: path) }
    }

    func backUp(path: String) async throws -> FileBackupReference {
        try await CrashPoints.around("backUpFile") { try await wrapped.backUp(path: path) }
    }

    func rewrite(path: String, expected: FileVersion, replacing old: Credentials, with new: Credentials) async throws {
        try await CrashPoints.around("rewriteFile") {
            try await wrapped.rewrite(path: path, expected: expected, replacing: old, with: new)
        }
    }

    func restore(path: String, from backup: FileBackupReference) async throws {
        try await CrashPoints.around("restoreFile") { try await wrapped.restore(path: path, from: backup) }
    }

    func removeBackup(_ backup: FileBackupReference) async throws {
        try await CrashPoints.around("removeBackup") { try await wrapped.removeBackup(backup) }
    }
}

struct CrashPointStateStore: RotationStateStore {
    let wrapped: any RotationStateStore

    func load() async throws -> RotationRecord? {
        try await wrapped.load()
    }

    func save(_ record: RotationRecord) async throws {
        try await CrashPoints.around("saveState:\(record.phase.rawValue)") { try await wrapped.save(record) }
    }
}
