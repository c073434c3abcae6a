import FleetCoordination
import Foundation
import KeyrotCore
import Synchronization

/// The AWS side of a fleet, in memory: IAM (one user, at most two keys), the fleet's secret with
/// its version stages, and the fleet table with conditional writes. Each host talks to it through
/// its own ``FleetCloudConnection``, whose calls pass through that host's crash switch.
///
/// As real IAM, and unlike moto: a key that is Inactive, deleted, or not yet propagated does not
/// authenticate, so every call signed with one fails. Deactivating or deleting a key that a host
/// which is not dropped still holds is recorded as a violation (``violations``).
public final class InMemoryFleetCloud: Sendable {
    struct Key {
        var secret: Secret
        var status: AccessKeyStatus
        var createdAt: Date
        var lastUse: AccessKeyLastUse?
    }

    struct State {
        var keys: [AccessKeyID: Key] = [:]
        var nextSerial = 1
        var versions: [SecretVersionID: Credentials] = [:]
        var stages: SecretStages
        var lease: LeaseItem
        var nextRecordVersion = 1
        var members: [HostID: MemberItem] = [:]
        var writes: [String] = []
        var violations: [String] = []
        var staleCurrentReadsLeft = 0
    }

    public static let initialVersion = SecretVersionID("initial-version")

    let state: Mutex<State>
    let clock: any KeyrotClock
    /// A new key authenticates only this long after its creation.
    public let propagationDelay: TimeInterval
    /// After each move of AWSCURRENT, this many reads of AWSCURRENT still return the previous
    /// version (Secrets Manager settling).
    public let staleCurrentReads: Int
    /// What each host's files hold now, asked when a key is retired.
    private let holdings: Mutex<@Sendable () -> [HostID: AccessKeyID]> = Mutex({ [:] })
    /// Called after every call of every connection, outside every lock (the invariant checks).
    private let observer: Mutex<@Sendable () -> Void> = Mutex({})

    /// A fleet after `keyrotd fleet init`: one Active key, its pair as the secret's first version
    /// (AWSCURRENT), the lease item free with an idle record.
    public init(clock: any KeyrotClock, initialKeyCreatedAt: Date, propagationDelay: TimeInterval = 0, staleCurrentReads: Int = 0) {
        self.clock = clock
        self.propagationDelay = propagationDelay
        self.staleCurrentReads = staleCurrentReads
        var initial = State(stages: SecretStages(current: Self.initialVersion),
                            lease: LeaseItem(owner: nil, version: RecordVersion("rvn-0"), record: FleetRotationRecord(base: Self.initialVersion, baseKeyID: "AKIAFLEET00000000000")))
        let pair = Self.makeKey(&initial, createdAt: initialKeyCreatedAt)
        initial.versions[Self.initialVersion] = pair
        initial.lease.record = FleetRotationRecord(base: Self.initialVersion, baseKeyID: pair.accessKeyID)
        state = Mutex(initial)
    }

    // MARK: Test controls

    /// The pair of the initial version.
    public var initialPair: Credentials { state.withLock { $0.versions[Self.initialVersion]! } }

    /// `keyrotd fleet join`: a membership item for `host`, holding `version`.
    public func join(_ host: HostID, holding version: SecretVersionID = initialVersion) {
        state.withLock { state in
            state.members[host] = MemberItem(host: host, heartbeat: 0, lastHeartbeatAt: clock.now, state: MemberState(holds: version))
        }
    }

    /// Another host takes the lease as after an expiry, while its holder is paused (a new record version).
    public func takeLeaseOver(for host: HostID) {
        state.withLock { state in
            state.lease.owner = host
            state.lease.version = newRecordVersion(&state)
        }
    }

    public func setHoldings(_ provider: @escaping @Sendable () -> [HostID: AccessKeyID]) {
        holdings.withLock { $0 = provider }
    }

    public func setObserver(_ body: @escaping @Sendable () -> Void) {
        observer.withLock { $0 = body }
    }

    func notifyObserver() {
        let body = observer.withLock { $0 }
        body()
    }

    /// Whether `pair` authenticates now: the key exists, is Active, has propagated, and the secret matches.
    public func accepts(_ pair: Credentials) -> Bool {
        state.withLock { Self.accepts(pair, in: $0, now: clock.now, delay: propagationDelay) }
    }

    /// A use of `pair` by something outside the fleet (a consumer the configuration does not name).
    public func use(_ pair: Credentials, service: String) throws {
        _ = try signed(pair, service: service) { _ in }
    }

    public var keyIDs: [AccessKeyID] { state.withLock { $0.keys.keys.sorted() } }
    public func status(of id: AccessKeyID) -> AccessKeyStatus? { state.withLock { $0.keys[id]?.status } }
    /// IAM writes in order: `create ID`, `deactivate ID`, `delete ID`.
    public var writes: [String] { state.withLock { $0.writes } }
    public var violations: [String] { state.withLock { $0.violations } }
    public var lease: LeaseItem { state.withLock { $0.lease } }
    public var stages: SecretStages { state.withLock { $0.stages } }
    public var members: [HostID: MemberItem] { state.withLock { $0.members } }
    public func pair(ofVersion version: SecretVersionID) -> Credentials? { state.withLock { $0.versions[version] } }

    // MARK: Internals

    static func accepts(_ pair: Credentials, in state: State, now: Date, delay: TimeInterval) -> Bool {
        guard let key = state.keys[pair.accessKeyID] else { return false }
        return key.status == .active && key.secret == pair.secretAccessKey && now >= key.createdAt.addingTimeInterval(delay)
    }

    static func makeKey(_ state: inout State, createdAt: Date) -> Credentials {
        let digits = String(state.nextSerial)
        let id = try! AccessKeyID("AKIAFLEET" + String(repeating: "0", count: 11 - digits.count) + digits)  // well-formed by construction
        let secret = Secret("fleet-secret-\(state.nextSerial)-of-the-in-memory-iam")
        state.nextSerial += 1
        state.keys[id] = Key(secret: secret, status: .active, createdAt: createdAt)
        return Credentials(accessKeyID: id, secretAccessKey: secret)
    }

    func newRecordVersion(_ state: inout State) -> RecordVersion {
        defer { state.nextRecordVersion += 1 }
        return RecordVersion("rvn-\(state.nextRecordVersion)")
    }

    /// Deactivating or deleting `id` while a host that is not dropped holds it breaks the grace rule.
    func probeRetirement(of id: AccessKeyID, _ action: String, in state: inout State) {
        let holders = holdings.withLock { $0 }()
        for (host, held) in holders where held == id && state.members[host]?.dropped != true {
            state.violations.append("\(action) \(id) while \(host), not dropped, holds it")
        }
    }

    /// Runs one call of `service` signed with `signer`: refused unless the signer authenticates;
    /// recorded as the key's last use.
    func signed<T>(_ signer: Credentials, service: String, _ body: (inout State) throws -> T) throws -> T {
        try state.withLock { state in
            guard Self.accepts(signer, in: state, now: clock.now, delay: propagationDelay) else {
                throw FleetPortError(.invalidCredentials, "InvalidClientTokenId: \(signer.accessKeyID) does not authenticate")
            }
            state.keys[signer.accessKeyID]?.lastUse = AccessKeyLastUse(date: clock.now, serviceName: service, region: "eu-west-1")
            return try body(&state)
        }
    }
}
