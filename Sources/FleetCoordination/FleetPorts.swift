import Foundation
import KeyrotCore

// The coordination's view of the outside world: four small ports, each one AWS service or one
// local layer, so that the adapters over the Secrets Manager, DynamoDB and IAM clients and over
// the single-host switch stay thin. Every AWS call is signed with the pair this host's files hold
// (`signedWith`): a host that came back authenticates with the old key, which the leader keeps
// Active for it. Failures are `FleetPortError`s; any other error counts as `.failed`.

/// The fleet's secret (`fleet.secret_id`): its version stages are the protocol's steps. Reads
/// always name a stage or a version id (moto returns a stale default version without one).
public protocol FleetSecretStore: Sendable {
    /// `DescribeSecret`: which version holds which stage.
    func describeStages(signedWith signer: Credentials) async throws -> SecretStages
    /// `GetSecretValue(VersionId = version)`.
    func read(version: SecretVersionID, signedWith signer: Credentials) async throws -> SecretVersion
    /// `GetSecretValue(VersionStage = AWSCURRENT)`; may be stale just after a promotion.
    func readCurrent(signedWith signer: Credentials) async throws -> SecretVersion
    /// `PutSecretValue(ClientRequestToken = token, VersionStages = [AWSPENDING])`. Retrying with
    /// the same token and pair is a no-op; a token is never sent with another pair.
    func putPending(_ pair: Credentials, token: SecretVersionID, signedWith signer: Credentials) async throws
    /// `UpdateSecretVersionStage(AWSCURRENT, MoveToVersionId = version, RemoveFromVersionId = base)`:
    /// a compare-and-swap on `AWSCURRENT` (`AWSPREVIOUS` goes to `base`). Done when `version`
    /// already holds it; throws `.conditionFailed` when a third version does.
    func promote(_ version: SecretVersionID, replacing base: SecretVersionID, signedWith signer: Credentials) async throws
    /// Removes `AWSPENDING` from `version`; done when it does not hold it.
    func removePending(from version: SecretVersionID, signedWith signer: Credentials) async throws
}

/// The fleet table (`fleet.lock_table`): the lease item (which carries the rotation record) and
/// one membership item per host. Reads are consistent; every decision is a conditional write.
public protocol FleetTable: Sendable {
    /// The lease item (`GetItem`, `ConsistentRead`); `.noSuchEntity` before `keyrotd fleet init`.
    func readLease(signedWith signer: Credentials) async throws -> LeaseItem
    /// Takes the lease for `host`, on condition that the record version is still `seen` (the
    /// version found free, held by this host before a restart, or unchanged for a lease
    /// duration). Leaves the record as it is. Returns the new record version.
    func takeLease(for host: HostID, ifVersion seen: RecordVersion, signedWith signer: Credentials) async throws -> RecordVersion
    /// Writes the record, fenced: on condition `owner = holder AND rvn = fence`. Returns the new version.
    func writeRecord(_ record: FleetRotationRecord, holder: HostID, fence: RecordVersion, signedWith signer: Credentials) async throws -> RecordVersion
    /// Renews the lease, fenced like `writeRecord`. Returns the new version.
    func renewLease(holder: HostID, fence: RecordVersion, signedWith signer: Credentials) async throws -> RecordVersion
    /// Releases the lease, fenced; the record stays.
    func releaseLease(holder: HostID, fence: RecordVersion, signedWith signer: Credentials) async throws
    /// Every membership item (`Query`).
    func readMembers(signedWith signer: Credentials) async throws -> [MemberItem]
    /// Increments `host`'s heartbeat and stamps `at`, on condition that it is a member and not
    /// dropped (`.noSuchEntity`, `.dropped` otherwise).
    func heartbeat(_ host: HostID, at date: Date, signedWith signer: Credentials) async throws
    /// Registers `host` to apply `rotation`: a transaction of a condition on the lease item
    /// (`phase = pending AND rotation = R`) and `applying = R` on the member's item.
    func register(_ host: HostID, toApply rotation: SecretVersionID, signedWith signer: Credentials) async throws
    /// Writes what `host`'s files hold (acknowledgement, failure, cleared registration), on
    /// condition that it is not dropped.
    func report(_ state: MemberState, for host: HostID, signedWith signer: Credentials) async throws
    /// Marks `host` dropped: a transaction of the leader's fence on the lease item and a condition
    /// that the member's heartbeat is still `heartbeat` (a member that came back is not dropped).
    func drop(_ host: HostID, ifHeartbeat heartbeat: Int, holder: HostID, fence: RecordVersion, signedWith signer: Credentials) async throws
}

/// IAM and STS for the fleet's user (the adapter knows the user).
public protocol FleetKeyService: Sendable {
    func listKeys(signedWith signer: Credentials) async throws -> [AccessKeyMetadata]
    /// `CreateAccessKey`; `.limitExceeded` when the user has two keys already.
    func createKey(signedWith signer: Credentials) async throws -> Credentials
    /// STS `GetCallerIdentity` signed with `pair`: a new key fails until it has propagated.
    func checkWorks(_ pair: Credentials) async throws
    /// `UpdateAccessKey(Inactive)`; `.noSuchEntity` when the key is gone.
    func deactivate(_ keyID: AccessKeyID, signedWith signer: Credentials) async throws
    /// `DeleteAccessKey`; `.noSuchEntity` when the key is gone.
    func delete(_ keyID: AccessKeyID, signedWith signer: Credentials) async throws
    func lastUsed(_ keyID: AccessKeyID, signedWith signer: Credentials) async throws -> AccessKeyLastUse
}

/// This host's credential files, through the single-host switch (backups, atomic byte-preserving
/// rewrite, read-back, consumer restarts, verification, its own crash recovery).
public protocol FleetLocalFiles: Sendable {
    /// The pair every file holds (the switch's own recovery has run first); throws when the files
    /// disagree or hold none.
    func heldPair() async throws -> Credentials
    /// Switches every file to `pair` and verifies it; on failure puts the files back as they were
    /// and throws.
    func apply(_ pair: Credentials) async throws
    /// Puts back the files as they were before the last `apply`, then verifies that they hold
    /// `keyID`; throws when they do not.
    func restore(expecting keyID: AccessKeyID) async throws
}

/// Receives what happens, for the journal, metrics and sd_notify STATUS. Events never carry a secret.
public protocol FleetEventSink: Sendable {
    func record(_ event: FleetEvent)
}

/// A host's ports, as both roles use them.
public struct FleetPorts: Sendable {
    public let secret: any FleetSecretStore
    public let table: any FleetTable
    public let keys: any FleetKeyService
    public let files: any FleetLocalFiles
    public let clock: any KeyrotClock
    public let events: any FleetEventSink

    public init(secret: any FleetSecretStore, table: any FleetTable, keys: any FleetKeyService, files: any FleetLocalFiles,
                clock: any KeyrotClock, events: any FleetEventSink) {
        self.secret = secret
        self.table = table
        self.keys = keys
        self.files = files
        self.clock = clock
        self.events = events
    }
}
