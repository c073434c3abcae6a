import Foundation
import KeyrotCore
import Logging
import Synchronization

/// Runs a `RotationMachine` against the ports: loads the record, performs each action, feeds the
/// result back, reports the events, until the machine finishes.
///
/// Port calls run shielded from task cancellation, so an in-flight IAM call or file write is
/// never cut off halfway; cancellation ends waits (`.sleep`). `requestStop()` is honoured
/// between steps, except between sending CreateAccessKey and saving the new secret.
public final class RotationDriver: Sendable {
    public let policy: RotationPolicy
    let clock: any RotationClock
    let keys: any AccessKeyService
    let files: any CredentialFileStore
    let store: any RotationStateStore
    let verifier: any RotationVerifier
    let events: any RotationEventSink
    let logger: Logger
    private let stopRequested = Mutex(false)

    public init(
        policy: RotationPolicy,
        clock: any RotationClock,
        keys: any AccessKeyService,
        files: any CredentialFileStore,
        store: any RotationStateStore,
        verifier: any RotationVerifier,
        events: any RotationEventSink,
        logger: Logger = Logger(label: "keyrotd.rotation")
    ) {
        self.policy = policy
        self.clock = clock
        self.keys = keys
        self.files = files
        self.store = store
        self.verifier = verifier
        self.events = events
        self.logger = logger
    }

    /// Asks the running `run` to stop at the next safe point (it returns `.interrupted`).
    public func requestStop() {
        stopRequested.withLock { $0 = true }
    }

    /// One run: recover whatever the record holds, then do what `request` asks.
    public func run(_ request: RotationRequest) async -> RotationOutcome {
        let record: RotationRecord?
        do {
            record = try await shielded { try await self.store.load() }
        } catch let error as RotationError {
            return .failed(error)
        } catch {
            return .failed(RotationError(.stateStore, "loading the rotation record failed: \(Self.portError(error).message); check the state directory"))
        }
        var machine = RotationMachine(policy: policy, record: record, request: request)
        var step = machine.start(at: clock.now)
        while true {
            step.events.forEach(events.record)
            if case .finish(let outcome) = step.action { return outcome }
            if stopRequested.withLock({ $0 }), !machine.isInCriticalSection {
                return .interrupted(phase: machine.record.phase, nil)
            }
            logger.debug("rotation step", metadata: ["action": "\(step.action.summary)"])
            let result: ActionResult
            if case .sleep(let deadline) = step.action {
                do {
                    try await clock.sleep(until: deadline)
                    result = .done
                } catch {
                    return .interrupted(phase: machine.record.phase, nil)
                }
            } else {
                let action = step.action
                result = await shielded { await self.perform(action) }
            }
            step = machine.handle(result, at: clock.now)
        }
    }

    /// Runs `work` in a task of its own, so the caller's cancellation does not reach it.
    private func shielded<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Task { try await work() }.value
    }

    private func shielded<T: Sendable>(_ work: @escaping @Sendable () async -> T) async -> T {
        await Task { await work() }.value
    }

    func perform(_ action: RotationAction) async -> ActionResult {
        let user = policy.user
        do {
            switch action {
            case .save(let record):
                try await store.save(record)
                return .done
            case .readFiles(let paths):
                var snapshots: [CredentialFileSnapshot] = []
                for path in paths {
                    do {
                        snapshots.append(try await files.read(path: path))
                    } catch {
                        let failure = Self.portError(error)
                        // The rewriter's errors already start with the file's path.
                        let message = failure.message.hasPrefix(path) ? failure.message : "\(path): \(failure.message)"
                        return .failed(RotationPortError(failure.code, message))
                    }
                }
                return .files(snapshots)
            case .listKeys(let signer):
                return .keys(try await keys.listAccessKeys(user: user, signedWith: signer))
            case .createKey(let signer):
                return .created(try await keys.createAccessKey(user: user, signedWith: signer))
            case .deleteKey(let id, let signer):
                try await keys.deleteAccessKey(user: user, keyID: id, signedWith: signer)
                return .done
            case .deactivateKey(let id, let signer):
                try await keys.updateAccessKey(user: user, keyID: id, status: .inactive, signedWith: signer)
                return .done
            case .lookUpLastUse(let id, let signer):
                return .lastUse(try await keys.accessKeyLastUsed(keyID: id, signedWith: signer))
            case .checkIdentity(let signer):
                return .identity(try await keys.callerIdentity(signedWith: signer))
            case .backUpFile(let path):
                return .backup(try await files.backUp(path: path))
            case .rewriteFile(let path, let expected, let old, let new):
                try await files.rewrite(path: path, expected: expected, replacing: old, with: new)
                return .done
            case .restoreFile(let path, let backup):
                try await files.restore(path: path, from: backup)
                return .done
            case .removeBackup(let backup):
                try await files.removeBackup(backup)
                return .done
            case .runVerifier:
                try await verifier.verify()
                return .done
            case .sleep(let deadline):
                try await clock.sleep(until: deadline)
                return .done
            case .finish:
                return .done
            }
        } catch {
            return .failed(Self.portError(error))
        }
    }

    static func portError(_ error: any Error) -> RotationPortError {
        if let error = error as? RotationPortError { return error }
        if let error = error as? RotationError { return RotationPortError(.failed, error.message) }
        return RotationPortError(.failed, String(describing: error))
    }
}

extension RotationAction {
    /// A one-line description for debug logs: names and key ids, never a secret.
    public var summary: String {
        switch self {
        case .save(let record): "save record (phase \(record.phase))"
        case .readFiles(let paths): "read \(paths.count) file(s)"
        case .listKeys(let signer): "ListAccessKeys as \(signer.accessKeyID)"
        case .createKey(let signer): "CreateAccessKey as \(signer.accessKeyID)"
        case .deleteKey(let id, let signer): "DeleteAccessKey \(id) as \(signer.accessKeyID)"
        case .deactivateKey(let id, let signer): "UpdateAccessKey \(id) Inactive as \(signer.accessKeyID)"
        case .lookUpLastUse(let id, let signer): "GetAccessKeyLastUsed \(id) as \(signer.accessKeyID)"
        case .checkIdentity(let signer): "GetCallerIdentity as \(signer.accessKeyID)"
        case .backUpFile(let path): "back up \(path)"
        case .rewriteFile(let path, _, let old, let new): "rewrite \(path): \(old.accessKeyID) -> \(new.accessKeyID)"
        case .restoreFile(let path, _): "restore \(path)"
        case .removeBackup(let backup): "remove backup \(backup.location)"
        case .runVerifier: "run the verify command"
        case .sleep(let deadline): "sleep until \(RotationEvent.stamp(deadline))"
        case .finish: "finish"
        }
    }
}
