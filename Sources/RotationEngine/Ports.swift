import Foundation
import KeyrotCore

// The engine's view of the outside world. Each protocol is small and maps onto one existing
// layer (IAM client, file rewriter, state directory, verify command, journal/sd_notify), so the
// adapters are thin. Every port throws `RotationPortError` for failures the engine must tell
// apart; any other error is treated as `.failed`.

/// IAM and STS for one user, each call signed with the given credentials.
public protocol AccessKeyService: Sendable {
    func listAccessKeys(user: String, signedWith signer: Credentials) async throws -> [AccessKeyMetadata]
    /// The new pair. A failure after the request may have reached IAM is fine to throw as is:
    /// the engine resolves every create failure by listing keys.
    func createAccessKey(user: String, signedWith signer: Credentials) async throws -> Credentials
    func updateAccessKey(user: String, keyID: AccessKeyID, status: AccessKeyStatus, signedWith signer: Credentials) async throws
    /// Throws `.noSuchEntity` when the key does not exist (the engine treats that as done).
    func deleteAccessKey(user: String, keyID: AccessKeyID, signedWith signer: Credentials) async throws
    func accessKeyLastUsed(keyID: AccessKeyID, signedWith signer: Credentials) async throws -> AccessKeyLastUse
    /// STS GetCallerIdentity; a just-created key typically fails with `InvalidClientTokenId` for a while.
    func callerIdentity(signedWith signer: Credentials) async throws -> CallerIdentity
}

/// The configured credential files, read and rewritten by the format-preserving rewriter.
/// `read`, `rewrite` and `restore` throw `RotationPortError(.noSuchEntity, …)` when the file does
/// not exist (someone removed it); `restore` never recreates a removed file. Errors name the file.
public protocol CredentialFileStore: Sendable {
    /// Every credential pair the file holds, and a version token (e.g. a digest of its bytes).
    func read(path: String) async throws -> CredentialFileContents
    /// Copies the file's current bytes to a durable (0600) backup. Calling it again for the same
    /// path replaces the earlier backup of that path.
    func backUp(path: String) async throws -> FileBackupReference
    /// Replaces `old` by `new` in the file, atomically, only when the file still has `expected`
    /// version (compare-and-swap); then reads it back and throws unless it holds `new` where it
    /// held `old`. Throws, changing nothing, when the file changed since `expected`.
    func rewrite(path: String, expected: FileVersion, replacing old: Credentials, with new: Credentials) async throws
    /// Puts the backed-up bytes back atomically. Idempotent.
    func restore(path: String, from backup: FileBackupReference) async throws
    /// Deletes a backup. Idempotent (a missing backup is not an error).
    func removeBackup(_ backup: FileBackupReference) async throws
}

/// The durable rotation record (the adapter writes it 0600, fsyncs, renames, fsyncs the directory).
public protocol RotationStateStore: Sendable {
    /// The record, or nil when there is none yet.
    func load() async throws -> RotationRecord?
    func save(_ record: RotationRecord) async throws
}

/// The optional `verify_command`, run after the files are written; throws when it does not exit 0.
public protocol RotationVerifier: Sendable {
    func verify() async throws
}

/// The systemd services that read the key at start (`restart_units`), restarted once every file
/// holds the new key (and again, on the old key, by a rollback).
public protocol ConsumerRestarter: Sendable {
    /// Restarts `unit` and waits for the restart job to finish and the unit to be active again,
    /// bounded by `restart_timeout`. With `startIfStopped` false (try-restart) a stopped unit
    /// stays stopped and the answer is `.notRunning`; with it true (restart) a stopped or failed
    /// unit is started. Throws `RotationPortError` naming the unit: `.accessDenied` (refused,
    /// e.g. by polkit) and `.noSuchEntity` (no such unit) when nothing was restarted;
    /// `.unreachable` when the service manager could not be asked or its answer was lost (the
    /// restart may have been queued); `.failed` when the restart ran and failed, the unit is not
    /// active afterwards, or the timeout ran out.
    func restart(unit: String, startIfStopped: Bool) async throws -> UnitRestartOutcome
}

/// What a restart found.
public enum UnitRestartOutcome: Sendable, Hashable {
    /// The unit was restarted and is active.
    case restarted
    /// The unit was not running, and try-restart left it so.
    case notRunning
}

/// Receives what happens, for the journal and sd_notify STATUS. Events never carry a secret.
public protocol RotationEventSink: Sendable {
    func record(_ event: RotationEvent)
}
