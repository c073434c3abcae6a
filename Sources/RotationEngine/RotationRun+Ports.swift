import Foundation
import KeyrotCore

// Each port call of a run, named as the fault campaign's crash points name it (for the debug
// log), through the driver (stop request, shield, debug log). They throw `RotationPortError`.
extension RotationRun {
    private func call<T: Sendable>(_ name: String, _ detail: String, _ work: @escaping @Sendable (RotationPorts) async throws -> T) async throws -> T {
        try await driver.call(name, detail, phase: record.phase, critical: inCriticalSection, work)
    }

    func listKeys(as signer: Credentials) async throws -> [AccessKeyMetadata] {
        let user = policy.user
        return try await call("ListAccessKeys", "as \(signer.accessKeyID)") { try await $0.keys.listAccessKeys(user: user, signedWith: signer) }
    }

    /// ListAccessKeys in recovery: a failure is retried later (`RunEnd.retry`).
    func listKeysOrRetry(as signer: Credentials) async throws -> [AccessKeyMetadata] {
        do {
            return try await listKeys(as: signer)
        } catch let error as RotationPortError {
            throw RunEnd.retry(.iam("ListAccessKeys", error))
        }
    }

    func createKey(as signer: Credentials) async throws -> Credentials {
        let user = policy.user
        return try await call("CreateAccessKey", "as \(signer.accessKeyID)") { try await $0.keys.createAccessKey(user: user, signedWith: signer) }
    }

    func deactivateKey(_ id: AccessKeyID, as signer: Credentials) async throws {
        let user = policy.user
        try await call("UpdateAccessKey", "\(id) Inactive as \(signer.accessKeyID)") {
            try await $0.keys.updateAccessKey(user: user, keyID: id, status: .inactive, signedWith: signer)
        }
    }

    /// Deletes `id`; a key that does not exist counts as deleted.
    func deleteKey(_ id: AccessKeyID, as signer: Credentials) async throws {
        let user = policy.user
        do {
            try await call("DeleteAccessKey", "\(id) as \(signer.accessKeyID)") { try await $0.keys.deleteAccessKey(user: user, keyID: id, signedWith: signer) }
        } catch let error as RotationPortError where error.code == .noSuchEntity {
            return
        }
    }

    func lastUse(of id: AccessKeyID, as signer: Credentials) async throws -> AccessKeyLastUse {
        try await call("GetAccessKeyLastUsed", "\(id) as \(signer.accessKeyID)") { try await $0.keys.accessKeyLastUsed(keyID: id, signedWith: signer) }
    }

    func callerIdentity(as signer: Credentials) async throws -> CallerIdentity {
        try await call("GetCallerIdentity", "as \(signer.accessKeyID)") { try await $0.keys.callerIdentity(signedWith: signer) }
    }

    /// Reads every configured file into `contents` (and `unreadable`). Nil when each was read,
    /// else the first failure, one other than a removed file first.
    func readFiles() async throws -> RotationPortError? {
        contents = [:]
        unreadable = [:]
        for path in policy.files {
            do {
                contents[path] = try await call("readFile", path) { try await $0.files.read(path: path) }
            } catch let error as RotationPortError {
                unreadable[path] = error
            }
        }
        let failures = policy.files.compactMap { unreadable[$0] }
        return failures.first { $0.code != .noSuchEntity } ?? failures.first
    }

    func backUp(_ path: String) async throws -> FileBackupReference {
        try await call("backUpFile", path) { try await $0.files.backUp(path: path) }
    }

    func rewrite(_ path: String, expected: FileVersion, replacing old: Credentials, with new: Credentials) async throws {
        try await call("rewriteFile", "\(path): \(old.accessKeyID) -> \(new.accessKeyID)") {
            try await $0.files.rewrite(path: path, expected: expected, replacing: old, with: new)
        }
    }

    func restore(_ path: String, from backup: FileBackupReference) async throws {
        try await call("restoreFile", path) { try await $0.files.restore(path: path, from: backup) }
    }

    func removeBackup(_ backup: FileBackupReference) async throws {
        try await call("removeBackup", backup.location) { try await $0.files.removeBackup(backup) }
    }

    func runVerifier() async throws {
        try await call("verify", "run the verify command") { try await $0.verifier.verify() }
    }

    func restartUnit(_ unit: String, startIfStopped: Bool) async throws -> UnitRestartOutcome {
        try await call("restartUnit", unit) { try await $0.restarter.restart(unit: unit, startIfStopped: startIfStopped) }
    }

    /// Saves the record; a failure throws the port error (see `save`).
    func trySave() async throws {
        let record = self.record
        try await call("saveState:\(record.phase.rawValue)", "phase \(record.phase)") { try await $0.store.save(record) }
    }

    /// Saves the record; when that fails the run ends (`.interrupted`): nothing may happen that
    /// the record does not know about.
    func save() async throws {
        do {
            try await trySave()
        } catch let error as RotationPortError {
            throw RunEnd.outcome(.interrupted(phase: record.phase, saveFailure(error)))
        }
    }

    func saveFailure(_ error: RotationPortError) -> RotationError {
        RotationError(.stateStore, "saving the rotation record failed: \(error.message); check the state directory (space, permissions)", cause: error)
    }
}
