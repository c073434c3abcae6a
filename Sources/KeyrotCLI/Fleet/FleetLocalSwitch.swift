import FleetCoordination
import Foundation
import KeyrotCore
import RotationEngine

/// The coordination's `FleetLocalFiles` over the single-host file store: every configured file
/// backed up (0600, state directory), rewritten atomically with read-back, the `restart_units`
/// try-restarted in order, then verified (`verify_command`, and STS with the new pair); on failure
/// every file is put back and the units restarted so far are restarted again on the old key. The switch's
/// durable record (``FleetSwitchRecord``) lets a member killed mid-apply put its files back at the
/// next start (every call first recovers). One operation at a time: the leader role of the same
/// process reads the files it signs with only between switches.
final class FleetLocalSwitch: FleetLocalFiles {
    let paths: [String]
    let store: any CredentialFileStore
    let verifier: any RotationVerifier
    /// `restart_units`, in order, and what restarts them (systemd over D-Bus in keyrotd); nil
    /// without `restart_units`.
    let consumers: Consumers?
    let stateDirectory: String
    /// STS with the new pair, after the files hold it.
    let checkWorks: @Sendable (Credentials) async throws -> Void
    /// Named points between the durable steps (`fleet-switch:<point>`), for the crash tests.
    let reached: @Sendable (String) async -> Void
    private let gate = SerialGate()

    init(paths: [String], store: any CredentialFileStore, verifier: any RotationVerifier,
         consumers: Consumers? = nil, stateDirectory: String,
         checkWorks: @escaping @Sendable (Credentials) async throws -> Void,
         reached: @escaping @Sendable (String) async -> Void = { CrashPoints.reached("fleet-switch:\($0)") }) {
        self.paths = paths
        self.store = store
        self.verifier = verifier
        self.consumers = consumers
        self.stateDirectory = stateDirectory
        self.checkWorks = checkWorks
        self.reached = reached
    }

    func heldPair() async throws -> Credentials {
        try await gate.run {
            try await recoverInterruptedSwitch()
            return try await readHeldPair().pair
        }
    }

    func apply(_ new: Credentials) async throws {
        try await gate.run {
            try await recoverInterruptedSwitch()
            let (old, versions) = try await readHeldPair()
            guard old.accessKeyID != new.accessKeyID else {
                guard old == new else {
                    throw FleetPortError(.failed, "the files hold \(old.accessKeyID) with another secret than the fleet's secret; fix the files or the secret (`keyrotd check`)")
                }
                return
            }
            var backups: [String: FileBackupReference] = [:]
            for path in paths {
                backups[path] = try await ported { try await store.backUp(path: path) }
            }
            var record = FleetSwitchRecord(stage: .switching, from: old.accessKeyID, to: new.accessKeyID, backups: backups)
            try await ported { try record.save(in: stateDirectory) }
            await reached("backed-up")
            do {
                for path in paths {
                    try await store.rewrite(path: path, expected: versions[path]!, replacing: old, with: new)
                    await reached("rewrote:\(path)")
                }
                let written = try await readHeldPair().pair
                guard written == new else {
                    throw FleetPortError(.failed, "after the rewrite the files hold \(written.accessKeyID), not \(new.accessKeyID)")
                }
                try await restartConsumers(&record)
                try await verifier.verify()
                try await checkWorks(new)
            } catch {
                try await putBack(record, expecting: old.accessKeyID)
                throw FleetPortError(.failed, "switching the files to \(new.accessKeyID) failed, and they were put back to \(old.accessKeyID): \(Self.describe(error))", cause: error)
            }
            record.stage = .switched
            try await ported { try record.save(in: stateDirectory) }
            await reached("switched")
        }
    }

    func restore(expecting keyID: AccessKeyID) async throws {
        try await gate.run {
            try await recoverInterruptedSwitch()
            if let record = try await ported({ try FleetSwitchRecord.load(from: stateDirectory) }), record.from == keyID {
                try await putBack(record, expecting: keyID)
                try await verifier.verify()
                return
            }
            let held = try await readHeldPair().pair
            guard held.accessKeyID == keyID else {
                throw FleetPortError(.failed, "the files hold \(held.accessKeyID) and no backup of \(keyID) is left in \(stateDirectory); put the fleet's current pair in the files and run `keyrotd fleet join`")
            }
        }
    }

    /// Try-restarts each of `restart_units`, recording it before its restart; a unit that was not
    /// running stays stopped and leaves the record again.
    private func restartConsumers(_ record: inout FleetSwitchRecord) async throws {
        guard let consumers else { return }
        for unit in consumers.units {
            record.restartedUnits = (record.restartedUnits ?? []) + [unit]
            try await ported { [record] in try record.save(in: stateDirectory) }
            await reached("restarting:\(unit)")
            if try await consumers.restarter.restart(unit: unit, startIfStopped: false) == .notRunning {
                record.restartedUnits?.removeLast()
                try await ported { [record] in try record.save(in: stateDirectory) }
            }
        }
    }

    /// A switch that never reached `switched` (the process died): the backups go back.
    private func recoverInterruptedSwitch() async throws {
        guard let record = try await ported({ try FleetSwitchRecord.load(from: stateDirectory) }), record.stage == .switching else { return }
        try await putBack(record, expecting: record.from)
    }

    /// Restores every file from its backup, checks that they hold `keyID`, then drops the record
    /// and the backups.
    private func putBack(_ record: FleetSwitchRecord, expecting keyID: AccessKeyID) async throws {
        for (path, backup) in record.backups.sorted(by: { $0.key < $1.key }) {
            try await ported { try await store.restore(path: path, from: backup) }
            await reached("restored:\(path)")
        }
        let held = try await readHeldPair().pair
        guard held.accessKeyID == keyID else {
            throw FleetPortError(.failed, "after restoring the backups the files hold \(held.accessKeyID), not \(keyID); inspect them and \(FleetSwitchRecord.path(in: stateDirectory))")
        }
        // Started if need be: a consumer that failed to start on the new key runs again on the old.
        if let consumers {
            for unit in record.restartedUnits ?? [] {
                _ = try await ported { try await consumers.restarter.restart(unit: unit, startIfStopped: true) }
            }
        }
        try await ported { try FleetSwitchRecord.remove(from: stateDirectory) }
        for backup in record.backups.values {
            try? await store.removeBackup(backup)
        }
    }

    /// The one pair every configured file holds, and each file's version.
    private func readHeldPair() async throws -> (pair: Credentials, versions: [String: FileVersion]) {
        var pairs: Set<Credentials> = []
        var versions: [String: FileVersion] = [:]
        for path in paths {
            let contents = try await ported { try await store.read(path: path) }
            pairs.formUnion(contents.pairs)
            versions[path] = contents.version
        }
        guard pairs.count == 1, let pair = pairs.first else {
            let ids = Set(pairs.map(\.accessKeyID.rawValue)).sorted().joined(separator: ", ")
            throw FleetPortError(.failed, pairs.isEmpty ? "the configured files hold no key pair" : "the configured files disagree (\(ids)); make them hold the fleet's current pair")
        }
        return (pair, versions)
    }

    private func ported<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as FleetPortError {
            throw error
        } catch {
            throw FleetPortError(.failed, Self.describe(error), cause: error)
        }
    }

    private static func describe(_ error: any Error) -> String {
        (error as? RotationPortError)?.message ?? (error as? RotationError)?.message ?? "\(error)"
    }
}

extension FleetLocalSwitch {
    /// The services that read the key (`restart_units`) and what restarts them.
    struct Consumers: Sendable {
        let units: [String]
        let restarter: any ConsumerRestarter
    }
}

/// Runs one operation at a time, in arrival order (an actor alone would interleave at each await).
actor SerialGate {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func run<T: Sendable>(_ work: @Sendable () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        }
        busy = true
        defer {
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
        return try await work()
    }
}
