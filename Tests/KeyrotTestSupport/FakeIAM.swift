import Foundation
import KeyrotCore
import RotationEngine
import Synchronization

/// In-memory IAM and STS for one user: at most two keys, Active/Inactive, creation dates,
/// eventual consistency of new keys, failures injected per operation, ambiguous creates.
/// Every call checks its signature: the signing key must exist, be Active and match its secret.
public final class FakeIAM: AccessKeyService {
    public enum Operation: String, Sendable, Hashable {
        case list, create, update, delete, lastUsed, identity
    }

    /// An injected failure for the next call of an operation.
    public enum Failure: Sendable {
        /// Throws without any effect.
        case error(RotationPortError)
        /// Performs the call, then throws as if the connection dropped before the answer.
        case lostAnswer
    }

    public struct Key: Sendable, Hashable {
        public var id: AccessKeyID
        public var secret: Secret
        public var status: AccessKeyStatus
        public var createdAt: Date
        public var lastUse: AccessKeyLastUse?
        var successfulChecks = 0
        var flakyFailuresLeft = 0

        public var credentials: Credentials { Credentials(accessKeyID: id, secretAccessKey: secret) }
    }

    struct State {
        var keys: [Key] = []
        var failures: [Operation: [Failure]] = [:]
        var calls: [Operation: Int] = [:]
        var nextSerial = 1
        var violations: [String] = []
        /// Writes (create, update, delete) in order, as text.
        var writes: [String] = []
        var issued: [Credentials] = []
    }

    public let user: String
    /// A new key answers identity checks with InvalidClientTokenId until this long after its creation.
    public let propagationDelay: TimeInterval
    /// After its first successful check, the next checks of a new key alternate fail and pass, this many of them.
    public let flakyChecksAfterFirstSuccess: Int
    private let clock: any KeyrotClock
    private let crashSwitch: FakeCrashSwitch
    /// Asked before a key is deactivated or deleted; returns a violation text, if any.
    private let retirementProbe: @Sendable (AccessKeyID) -> String?
    private let state = Mutex(State())

    public init(
        user: String,
        clock: any KeyrotClock,
        crashSwitch: FakeCrashSwitch,
        propagationDelay: TimeInterval = 0,
        flakyChecksAfterFirstSuccess: Int = 0,
        retirementProbe: @escaping @Sendable (AccessKeyID) -> String? = { _ in nil }
    ) {
        self.user = user
        self.clock = clock
        self.crashSwitch = crashSwitch
        self.propagationDelay = propagationDelay
        self.flakyChecksAfterFirstSuccess = flakyChecksAfterFirstSuccess
        self.retirementProbe = retirementProbe
    }

    // MARK: Test controls

    /// Adds a key directly (as an administrator would), returning its credentials.
    @discardableResult
    public func addKey(status: AccessKeyStatus = .active, createdAt: Date) -> Credentials {
        state.withLock { state in
            let key = Self.makeKey(&state, status: status, createdAt: createdAt, flaky: 0)
            state.keys.append(key)
            return key.credentials
        }
    }

    /// Replaces every key (restoring a saved world); later keys get serials after them.
    public func replaceKeys(_ keys: [(Credentials, AccessKeyStatus, Date)]) {
        state.withLock { state in
            state.keys = keys.map { Key(id: $0.0.accessKeyID, secret: $0.0.secretAccessKey, status: $0.1, createdAt: $0.2) }
            state.issued += keys.map(\.0)
            state.nextSerial = max(state.nextSerial, keys.count + 2)
        }
    }

    public func inject(_ failure: Failure, into operation: Operation, times: Int = 1) {
        state.withLock { $0.failures[operation, default: []] += Array(repeating: failure, count: times) }
    }

    public func recordUse(of id: AccessKeyID, at date: Date, service: String, region: String) {
        state.withLock { state in
            if let index = state.keys.firstIndex(where: { $0.id == id }) {
                state.keys[index].lastUse = AccessKeyLastUse(date: date, serviceName: service, region: region)
            }
        }
    }

    public var keys: [Key] { state.withLock { $0.keys } }
    public var violations: [String] { state.withLock { $0.violations } }
    public var writes: [String] { state.withLock { $0.writes } }
    /// Every key pair ever issued, deleted ones included.
    public var issued: [Credentials] { state.withLock { $0.issued } }
    public func calls(_ operation: Operation) -> Int { state.withLock { $0.calls[operation, default: 0] } }

    /// Whether `credentials` would be accepted right now (exists, Active, right secret).
    public func accepts(_ credentials: Credentials) -> Bool {
        state.withLock { state in
            state.keys.contains { $0.id == credentials.accessKeyID && $0.secret == credentials.secretAccessKey && $0.status == .active }
        }
    }

    // MARK: AccessKeyService

    public func listAccessKeys(user: String, signedWith signer: Credentials) async throws -> [AccessKeyMetadata] {
        try call(.list, user: user, signer: signer) { state in
            state.keys.map { AccessKeyMetadata(keyID: $0.id, status: $0.status, createdAt: $0.createdAt) }
        }
    }

    public func createAccessKey(user: String, signedWith signer: Credentials) async throws -> Credentials {
        try call(.create, user: user, signer: signer) { state in
            guard state.keys.count < 2 else {
                throw RotationPortError(.failed, "LimitExceeded: Cannot exceed quota for AccessKeysPerUser: 2")
            }
            let key = Self.makeKey(&state, status: .active, createdAt: clock.now, flaky: flakyChecksAfterFirstSuccess)
            state.keys.append(key)
            state.writes.append("create \(key.id)")
            return key.credentials
        }
    }

    public func updateAccessKey(user: String, keyID: AccessKeyID, status: AccessKeyStatus, signedWith signer: Credentials) async throws {
        try call(.update, user: user, signer: signer) { state in
            guard let index = state.keys.firstIndex(where: { $0.id == keyID }) else {
                throw RotationPortError(.noSuchEntity, "NoSuchEntity: the access key \(keyID) does not exist")
            }
            if status == .inactive, let violation = retirementProbe(keyID) { state.violations.append("deactivate: \(violation)") }
            state.keys[index].status = status
            state.writes.append("update \(keyID) \(status.rawValue)")
        }
    }

    public func deleteAccessKey(user: String, keyID: AccessKeyID, signedWith signer: Credentials) async throws {
        try call(.delete, user: user, signer: signer) { state in
            guard let index = state.keys.firstIndex(where: { $0.id == keyID }) else {
                throw RotationPortError(.noSuchEntity, "NoSuchEntity: the access key \(keyID) does not exist")
            }
            if let violation = retirementProbe(keyID) { state.violations.append("delete: \(violation)") }
            state.keys.remove(at: index)
            state.writes.append("delete \(keyID)")
        }
    }

    public func accessKeyLastUsed(keyID: AccessKeyID, signedWith signer: Credentials) async throws -> AccessKeyLastUse {
        try call(.lastUsed, user: user, signer: signer) { state in
            guard let key = state.keys.first(where: { $0.id == keyID }) else {
                throw RotationPortError(.noSuchEntity, "NoSuchEntity: the access key \(keyID) does not exist")
            }
            return key.lastUse ?? AccessKeyLastUse(date: nil, serviceName: "N/A", region: "N/A")
        }
    }

    public func callerIdentity(signedWith signer: Credentials) async throws -> CallerIdentity {
        try call(.identity, user: user, signer: signer) { state in
            guard let index = state.keys.firstIndex(where: { $0.id == signer.accessKeyID }) else { throw Self.invalidToken }
            if clock.now < state.keys[index].createdAt.addingTimeInterval(propagationDelay) { throw Self.invalidToken }
            if state.keys[index].successfulChecks > 0, state.keys[index].flakyFailuresLeft > 0 {
                state.keys[index].flakyFailuresLeft -= 1
                if state.keys[index].flakyFailuresLeft % 2 == 1 { throw Self.invalidToken }
            }
            state.keys[index].successfulChecks += 1
            return CallerIdentity(account: "123456789012", arn: "arn:aws:iam::123456789012:user/\(user)", userID: "AIDAFAKEIAMUSER")
        }
    }

    // MARK: Internals

    static let invalidToken = RotationPortError(.failed, "InvalidClientTokenId: The security token included in the request is invalid.")

    static func makeKey(_ state: inout State, status: AccessKeyStatus, createdAt: Date, flaky: Int) -> Key {
        let serial = state.nextSerial
        state.nextSerial += 1
        let digits = String(serial)
        let id = "AKIAFAKE" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits
        // The same in every world, so that a saved world (FakeWorldSnapshot) matches a new one.
        let secret = Secret("fake-secret-\(serial)-of-the-in-memory-iam")
        let keyID = try! AccessKeyID(id)  // AKIAFAKE and 12 digits: well-formed by construction
        state.issued.append(Credentials(accessKeyID: keyID, secretAccessKey: secret))
        return Key(id: keyID, secret: secret, status: status, createdAt: createdAt, flakyFailuresLeft: flaky)
    }

    private func call<T>(_ operation: Operation, user: String, signer: Credentials, _ body: (inout State) throws -> T) throws -> T {
        try crashSwitch.operate("iam.\(operation.rawValue)") {
            try state.withLock { state in
                state.calls[operation, default: 0] += 1
                let failure = state.failures[operation]?.isEmpty == false ? state.failures[operation]?.removeFirst() : nil
                if case .error(let error) = failure { throw error }
                guard user == self.user else { throw RotationPortError(.noSuchEntity, "NoSuchEntity: no user \(user)") }
                guard let key = state.keys.first(where: { $0.id == signer.accessKeyID }),
                      key.secret == signer.secretAccessKey, key.status == .active else {
                    throw Self.invalidToken
                }
                let value = try body(&state)
                if case .lostAnswer = failure {
                    throw RotationPortError(.unreachable, "connection lost after sending \(operation.rawValue)")
                }
                return value
            }
        }
    }
}
