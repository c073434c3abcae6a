import FleetCoordination
import Foundation
import KeyrotCore
import Synchronization

/// One host's view of an ``InMemoryFleetCloud``: every call is an operation of the host's crash
/// switch (so a test kills the host before or after any call), then the cloud's observer runs.
public struct FleetCloudConnection: Sendable {
    public let cloud: InMemoryFleetCloud
    public let crashSwitch: FakeCrashSwitch
    /// While cut, every call fails as unreachable (the host runs, but AWS is out of its reach).
    public let link: FleetLink

    public init(cloud: InMemoryFleetCloud, crashSwitch: FakeCrashSwitch, link: FleetLink = FleetLink()) {
        self.cloud = cloud
        self.crashSwitch = crashSwitch
        self.link = link
    }

    func call<T>(_ name: String, signedWith signer: Credentials, _ body: (inout InMemoryFleetCloud.State) throws -> T) throws -> T {
        defer { cloud.notifyObserver() }
        if link.isCut { throw FleetPortError(.unreachable, "\(name): could not connect (network partition)") }
        let service = String(name.prefix { $0 != "." })
        return try crashSwitch.operate(name) { try cloud.signed(signer, service: service, body) }
    }

    static func conditionFailed(_ call: String) -> FleetPortError {
        FleetPortError(.conditionFailed, "ConditionalCheckFailedException: \(call)")
    }
}

extension FleetCloudConnection: FleetKeyService {
    public func listKeys(signedWith signer: Credentials) async throws -> [AccessKeyMetadata] {
        try call("iam.list", signedWith: signer) { state in
            state.keys.map { AccessKeyMetadata(keyID: $0.key, status: $0.value.status, createdAt: $0.value.createdAt) }.sorted { $0.keyID < $1.keyID }
        }
    }

    public func createKey(signedWith signer: Credentials) async throws -> Credentials {
        try call("iam.create", signedWith: signer) { state in
            guard state.keys.count < 2 else { throw FleetPortError(.limitExceeded, "LimitExceeded: Cannot exceed quota for AccessKeysPerUser: 2") }
            let pair = InMemoryFleetCloud.makeKey(&state, createdAt: cloud.clock.now)
            state.writes.append("create \(pair.accessKeyID)")
            return pair
        }
    }

    public func checkWorks(_ pair: Credentials) async throws {
        try call("sts.identity", signedWith: pair) { _ in }
    }

    public func deactivate(_ keyID: AccessKeyID, signedWith signer: Credentials) async throws {
        try call("iam.deactivate", signedWith: signer) { state in
            guard state.keys[keyID] != nil else { throw FleetPortError(.noSuchEntity, "NoSuchEntity: \(keyID)") }
            cloud.probeRetirement(of: keyID, "deactivate", in: &state)
            state.keys[keyID]?.status = .inactive
            state.writes.append("deactivate \(keyID)")
        }
    }

    public func delete(_ keyID: AccessKeyID, signedWith signer: Credentials) async throws {
        try call("iam.delete", signedWith: signer) { state in
            guard state.keys[keyID] != nil else { throw FleetPortError(.noSuchEntity, "NoSuchEntity: \(keyID)") }
            cloud.probeRetirement(of: keyID, "delete", in: &state)
            state.keys[keyID] = nil
            state.writes.append("delete \(keyID)")
        }
    }

    public func lastUsed(_ keyID: AccessKeyID, signedWith signer: Credentials) async throws -> AccessKeyLastUse {
        try call("iam.lastUsed", signedWith: signer) { state in
            guard let key = state.keys[keyID] else { throw FleetPortError(.noSuchEntity, "NoSuchEntity: \(keyID)") }
            return key.lastUse ?? AccessKeyLastUse(date: nil, serviceName: "N/A", region: "N/A")
        }
    }
}

extension FleetCloudConnection: FleetSecretStore {
    public func describeStages(signedWith signer: Credentials) async throws -> SecretStages {
        try call("secret.describe", signedWith: signer) { $0.stages }
    }

    public func read(version: SecretVersionID, signedWith signer: Credentials) async throws -> SecretVersion {
        try call("secret.read", signedWith: signer) { state in
            guard let pair = state.versions[version] else { throw FleetPortError(.noSuchEntity, "ResourceNotFoundException: version \(version)") }
            return SecretVersion(id: version, credentials: pair)
        }
    }

    public func readCurrent(signedWith signer: Credentials) async throws -> SecretVersion {
        try call("secret.readCurrent", signedWith: signer) { state in
            if state.staleCurrentReadsLeft > 0, let previous = state.stages.previous {
                state.staleCurrentReadsLeft -= 1
                return SecretVersion(id: previous, credentials: state.versions[previous]!)
            }
            return SecretVersion(id: state.stages.current, credentials: state.versions[state.stages.current]!)
        }
    }

    public func putPending(_ pair: Credentials, token: SecretVersionID, signedWith signer: Credentials) async throws {
        try call("secret.putPending", signedWith: signer) { state in
            if let existing = state.versions[token], existing != pair {
                throw FleetPortError(.failed, "ResourceExistsException: version \(token) exists with another value")
            }
            state.versions[token] = pair
            state.stages.pending = token
        }
    }

    public func promote(_ version: SecretVersionID, replacing base: SecretVersionID, signedWith signer: Credentials) async throws {
        try call("secret.promote", signedWith: signer) { state in
            if state.stages.current == version { return }
            guard state.stages.current == base else { throw FleetPortError(.conditionFailed, "InvalidParameterException: AWSCURRENT is not on \(base)") }
            guard state.versions[version] != nil else { throw FleetPortError(.noSuchEntity, "ResourceNotFoundException: version \(version)") }
            state.stages.previous = base
            state.stages.current = version
            state.staleCurrentReadsLeft = cloud.staleCurrentReads
        }
    }

    public func removePending(from version: SecretVersionID, signedWith signer: Credentials) async throws {
        try call("secret.removePending", signedWith: signer) { state in
            if state.stages.pending == version { state.stages.pending = nil }
        }
    }
}

extension FleetCloudConnection: FleetTable {
    public func readLease(signedWith signer: Credentials) async throws -> LeaseItem {
        try call("table.readLease", signedWith: signer) { $0.lease }
    }

    public func takeLease(for host: HostID, ifVersion seen: RecordVersion, signedWith signer: Credentials) async throws -> RecordVersion {
        try call("table.takeLease", signedWith: signer) { state in
            guard state.lease.version == seen else { throw Self.conditionFailed("take lease") }
            state.lease.owner = host
            state.lease.version = cloud.newRecordVersion(&state)
            return state.lease.version
        }
    }

    public func writeRecord(_ record: FleetRotationRecord, holder: HostID, fence: RecordVersion, signedWith signer: Credentials) async throws -> RecordVersion {
        try fencedWrite("table.writeRecord", holder: holder, fence: fence, signedWith: signer) { $0.lease.record = record }
    }

    public func renewLease(holder: HostID, fence: RecordVersion, signedWith signer: Credentials) async throws -> RecordVersion {
        try fencedWrite("table.renewLease", holder: holder, fence: fence, signedWith: signer) { _ in }
    }

    public func releaseLease(holder: HostID, fence: RecordVersion, signedWith signer: Credentials) async throws {
        _ = try fencedWrite("table.releaseLease", holder: holder, fence: fence, signedWith: signer) { $0.lease.owner = nil }
    }

    public func readMembers(signedWith signer: Credentials) async throws -> [MemberItem] {
        try call("table.readMembers", signedWith: signer) { $0.members.values.sorted { $0.host < $1.host } }
    }

    public func heartbeat(_ host: HostID, at date: Date, signedWith signer: Credentials) async throws {
        try call("table.heartbeat", signedWith: signer) { state in
            try Self.requireMember(host, in: state)
            state.members[host]?.heartbeat += 1
            state.members[host]?.lastHeartbeatAt = date
        }
    }

    public func register(_ host: HostID, toApply rotation: SecretVersionID, signedWith signer: Credentials) async throws {
        try call("table.register", signedWith: signer) { state in
            guard state.lease.record.phase == .pending, state.lease.record.rotation == rotation else { throw Self.conditionFailed("register: the record is not pending for \(rotation)") }
            try Self.requireMember(host, in: state)
            state.members[host]?.state.applying = rotation
        }
    }

    public func report(_ memberState: MemberState, for host: HostID, signedWith signer: Credentials) async throws {
        try call("table.report", signedWith: signer) { state in
            try Self.requireMember(host, in: state)
            state.members[host]?.state = memberState
        }
    }

    public func drop(_ host: HostID, ifHeartbeat heartbeat: Int, holder: HostID, fence: RecordVersion, signedWith signer: Credentials) async throws {
        try call("table.drop", signedWith: signer) { state in
            guard state.lease.owner == holder, state.lease.version == fence, state.members[host]?.heartbeat == heartbeat else {
                throw Self.conditionFailed("drop \(host)")
            }
            state.members[host]?.dropped = true
        }
    }

    /// A write conditional on `owner = holder AND rvn = fence`, which sets a new record version.
    private func fencedWrite(_ name: String, holder: HostID, fence: RecordVersion, signedWith signer: Credentials,
                             _ body: (inout InMemoryFleetCloud.State) -> Void) throws -> RecordVersion {
        try call(name, signedWith: signer) { state in
            guard state.lease.owner == holder, state.lease.version == fence else { throw Self.conditionFailed("\(name) by \(holder)") }
            body(&state)
            state.lease.version = cloud.newRecordVersion(&state)
            return state.lease.version
        }
    }

    private static func requireMember(_ host: HostID, in state: InMemoryFleetCloud.State) throws {
        guard let member = state.members[host] else { throw FleetPortError(.noSuchEntity, "no membership item for \(host)") }
        guard !member.dropped else { throw FleetPortError(.dropped, "ConditionalCheckFailedException: \(host) is dropped") }
    }
}

/// A host's network link to the cloud, which a test can cut (a partition) and restore.
public final class FleetLink: Sendable {
    private let cut = Mutex(false)

    public init() {}

    public var isCut: Bool { cut.withLock { $0 } }
    public func setCut(_ value: Bool) { cut.withLock { $0 = value } }
}
