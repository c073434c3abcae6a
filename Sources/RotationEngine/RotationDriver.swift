import Foundation
import KeyrotCore
import Logging
import Synchronization

/// Runs rotations against the ports. The one place for what concerns every port call (the stop
/// request and the critical section, the shield from task cancellation, the crash points of the
/// fault campaign, the debug log of each call) and for retries across runs. The phases
/// themselves are `RotationRun`'s.
///
/// Port calls run shielded from task cancellation, so an in-flight IAM call or file write is
/// never cut off halfway; cancellation ends waits. `requestStop()` is honoured at the next port
/// call or wait, except between sending CreateAccessKey and saving the new secret.
public final class RotationDriver: Sendable {
    /// A named instant around a port call: `before:<call>`, and `after:<call>` once it succeeded.
    /// `<call>` is an IAM action, `readFile`, `backUpFile`, `rewriteFile`, `restoreFile`,
    /// `removeBackup`, `restartUnit` or `saveState:<phase>` (Tests/faults kills keyrotd at these).
    public typealias CrashPointHook = @Sendable (String) -> Void

    public let policy: RotationPolicy
    let clock: any KeyrotClock
    let ports: RotationPorts
    let events: any RotationEventSink
    let logger: Logger
    let crashPoint: CrashPointHook?
    private let stopRequested = Mutex(false)

    public init(
        policy: RotationPolicy,
        clock: any KeyrotClock,
        keys: any AccessKeyService,
        files: any CredentialFileStore,
        store: any RotationStateStore,
        verifier: any RotationVerifier,
        restarter: any ConsumerRestarter,
        events: any RotationEventSink,
        logger: Logger = Logger(label: "keyrotd.rotation"),
        crashPoint: CrashPointHook? = nil
    ) {
        self.policy = policy
        self.clock = clock
        ports = RotationPorts(keys: keys, files: files, store: store, verifier: verifier, restarter: restarter)
        self.events = events
        self.logger = logger
        self.crashPoint = crashPoint
    }

    /// Asks the running `run` to stop at the next safe point (it returns `.interrupted`).
    public func requestStop() {
        stopRequested.withLock { $0 = true }
    }

    /// One run: recover whatever the record holds, then do what `request` asks.
    public func run(_ request: RotationRequest) async -> RotationOutcome {
        let record: RotationRecord?
        do {  // No crash point: a kill before anything changed needs no recovery.
            record = try await call(nil, "load the record", phase: .idle, critical: false) { try await $0.store.load() }
        } catch let error as RotationPortError {
            if let refusal = error.cause as? RotationError { return .failed(refusal) }
            return .failed(RotationError(.stateStore, "loading the rotation record failed: \(error.message); check the state directory", cause: error))
        } catch {
            return .interrupted(phase: .idle, nil)
        }
        let rotation = RotationRun(driver: self, record: record, request: request)
        if let refusal = rotation.configurationMismatch() { return .failed(refusal) }
        rotation.begin()
        while true {
            do {
                return try await rotation.readAndReconcile()
            } catch RunEnd.outcome(let outcome) {
                return outcome
            } catch RunEnd.retry(let error) {
                // Kept in the record: a later wait in this run, or a later run, starts over from it.
                if let outcome = await rotation.scheduleRetry(error) { return outcome }
            } catch {
                return .failed(RotationError(.inconsistent, "the rotation stopped on an unexpected error: \(error)", cause: error))
            }
        }
    }

    /// Performs one port call: honours a pending stop (outside the critical section), logs the
    /// call, passes the crash points around it (when `point` names one) and shields it from
    /// cancellation. Every failure comes out as a `RotationPortError`, or as
    /// `RunEnd.outcome(.interrupted)` for the stop.
    func call<T: Sendable>(
        _ point: String?, _ detail: String, phase: RotationPhase, critical: Bool,
        _ work: @escaping @Sendable (RotationPorts) async throws -> T
    ) async throws -> T {
        try honourStop(phase: phase, critical: critical)
        logger.debug("rotation port call", metadata: ["call": "\(point ?? "") \(detail)", "phase": "\(phase)"])
        let ports = self.ports
        let hook = point == nil ? nil : crashPoint
        do {
            return try await Task {
                hook?("before:\(point ?? "")")
                let value = try await work(ports)
                hook?("after:\(point ?? "")")
                return value
            }.value
        } catch let error as RotationPortError {
            throw error
        } catch {
            throw RotationPortError(.failed, String(describing: error), cause: error)
        }
    }

    /// Waits until `deadline`; a stop request or the task's cancellation ends the run instead.
    func sleep(until deadline: Date, phase: RotationPhase) async throws {
        try honourStop(phase: phase, critical: false)
        logger.debug("rotation wait", metadata: ["until": "\(RotationEvent.stamp(deadline))", "phase": "\(phase)"])
        do {
            try await clock.sleep(until: deadline)
        } catch {
            throw RunEnd.outcome(.interrupted(phase: phase, nil))
        }
    }

    private func honourStop(phase: RotationPhase, critical: Bool) throws {
        if !critical, stopRequested.withLock({ $0 }) {
            throw RunEnd.outcome(.interrupted(phase: phase, nil))
        }
    }
}

/// The ports a run calls, together (sendable into the shielding task).
struct RotationPorts: Sendable {
    let keys: any AccessKeyService
    let files: any CredentialFileStore
    let store: any RotationStateStore
    let verifier: any RotationVerifier
    let restarter: any ConsumerRestarter
}

/// How a phase leaves the straight path: the run ends with an outcome, or the current step is
/// retried later from the record (steps after the switch, and of a rollback, are never dropped).
enum RunEnd: Error {
    case outcome(RotationOutcome)
    case retry(RotationError)
}
