import FoundationEssentials
import KeyrotCore
import RotationEngine

// The ports with a `PortCallHook` around every call (crash points, the step monitor, off-pool file work).

struct HookedKeyService: AccessKeyService {
    let wrapped: any AccessKeyService
    let hook: any PortCallHook

    func listAccessKeys(user: String, signedWith signer: Credentials) async throws -> [AccessKeyMetadata] {
        try await hook.around(PortCall(name: "ListAccessKeys", kind: .iam)) { try await wrapped.listAccessKeys(user: user, signedWith: signer) }
    }

    func createAccessKey(user: String, signedWith signer: Credentials) async throws -> Credentials {
        try await hook.around(PortCall(name: "CreateAccessKey", kind: .iam)) { try await wrapped.createAccessKey(user: user, signedWith: signer) }
    }

    func updateAccessKey(user: String, keyID: AccessKeyID, status: AccessKeyStatus, signedWith signer: Credentials) async throws {
        try await hook.around(PortCall(name: "UpdateAccessKey", kind: .iam)) {
            try await wrapped.updateAccessKey(user: user, keyID: keyID, status: status, signedWith: signer)
        }
    }

    func deleteAccessKey(user: String, keyID: AccessKeyID, signedWith signer: Credentials) async throws {
        try await hook.around(PortCall(name: "DeleteAccessKey", kind: .iam)) { try await wrapped.deleteAccessKey(user: user, keyID: keyID, signedWith: signer) }
    }

    func accessKeyLastUsed(keyID: AccessKeyID, signedWith signer: Credentials) async throws -> AccessKeyLastUse {
        try await hook.around(PortCall(name: "GetAccessKeyLastUsed", kind: .iam)) { try await wrapped.accessKeyLastUsed(keyID: keyID, signedWith: signer) }
    }

    func callerIdentity(signedWith signer: Credentials) async throws -> CallerIdentity {
        try await hook.around(PortCall(name: "GetCallerIdentity", kind: .iam)) { try await wrapped.callerIdentity(signedWith: signer) }
    }
}

struct HookedFileStore: CredentialFileStore {
    let wrapped: any CredentialFileStore
    let hook: any PortCallHook

    func read(path: String) async throws -> CredentialFileContents {
        try await hook.around(PortCall(name: "readFile", kind: .file)) { try await wrapped.read(path: path) }
    }

    func backUp(path: String) async throws -> FileBackupReference {
        try await hook.around(PortCall(name: "backUpFile", kind: .file)) { try await wrapped.backUp(path: path) }
    }

    func rewrite(path: String, expected: FileVersion, replacing old: Credentials, with new: Credentials) async throws {
        try await hook.around(PortCall(name: "rewriteFile", kind: .file)) {
            try await wrapped.rewrite(path: path, expected: expected, replacing: old, with: new)
        }
    }

    func restore(path: String, from backup: FileBackupReference) async throws {
        try await hook.around(PortCall(name: "restoreFile", kind: .file)) { try await wrapped.restore(path: path, from: backup) }
    }

    func removeBackup(_ backup: FileBackupReference) async throws {
        try await hook.around(PortCall(name: "removeBackup", kind: .file)) { try await wrapped.removeBackup(backup) }
    }
}

struct HookedStateStore: RotationStateStore {
    let wrapped: any RotationStateStore
    let hook: any PortCallHook

    func load() async throws -> RotationRecord? {
        try await hook.around(PortCall(name: "loadState", kind: .stateLoad)) { try await wrapped.load() }
    }

    func save(_ record: RotationRecord) async throws {
        try await hook.around(PortCall(name: "saveState:\(record.phase.rawValue)", kind: .stateSave)) { try await wrapped.save(record) }
    }
}

struct HookedVerifier: RotationVerifier {
    let wrapped: any RotationVerifier
    let hook: any PortCallHook

    func verify() async throws {
        try await hook.around(PortCall(name: "verify", kind: .verify)) { try await wrapped.verify() }
    }
}

struct HookedConsumerRestarter: ConsumerRestarter {
    let wrapped: any ConsumerRestarter
    let hook: any PortCallHook

    func restart(unit: String, startIfStopped: Bool) async throws -> UnitRestartOutcome {
        try await hook.around(PortCall(name: "restartUnit", kind: .restart)) { try await wrapped.restart(unit: unit, startIfStopped: startIfStopped) }
    }
}
