import Foundation
import KeyrotCore
import Logging
import Synchronization

/// Runs rotations against the ports. The one place for what concerns every port call (the stop
/// request and the critical section, the shield from task cancellation, the debug log of each
/// call) and for retries across runs. The phases themselves are `RotationRun`'s. The fault
/// campaign's crash points are around the ports themselves (KeyrotCLI's `HookedPorts`), where
/// they also see what an adapter does.
///
/// Port calls run shielded from task cancellation, so an in-flight IAM call or file write is
/// never cut off halfway; cancellation ends waits. `requestStop()` is honoured at the next port
/// call or wait, except between sending CreateAccessKey and saving the new secret.
public final class RotationDriver: Sendable {
    public let policy: RotationPolicy
    let clock: any KeyrotClock
    let ports: RotationPorts
    let events: any RotationEventSink
    let logger: Logger
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
        logger: Logger = Logger(label: "keyrotd.rotation")
    ) {
        self.policy = policy
        self.clock = clock
        ports = RotationPorts(keys: keys, files: files, store: store, verifier: verifier, restarter: restarter)
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
            record = try await call("loadState", "load the record", phase: .idle, critical: false) { try await $0.store.load() }
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
    /// call and shields it from cancellation. Every failure comes out as a `RotationPortError`, or as
    /// `RunEnd.outcome(.interrupted)` for the stop.
    func call<T: Sendable>(
        _ name: String, _ detail: String, phase: RotationPhase, critical: Bool,
        _ work: @escaping @Sendable (RotationPorts) async throws -> T
    ) async throws -> T {
        try honourStop(phase: phase, critical: critical)
        logger.debug("rotation port call", metadata: ["call": "\(name) \(detail)", "phase": "\(phase)"])
        let ports = self.ports
        do {
            return try await Task { try await work(ports) }.value
        } catch let error as RotationPortError {
            throw error
        } catch {
            throw RotationPortError(.failed, String(describing: error), cause: error)
        }
    }

    /// Waits until `deadline`; a stop request or the task's cancellation ends the run instead.
    func sleep(until deadline: Date, phase: RotationPhase) async throws {
        try honourStop(phase: phase, critical: false)
        logger.debug("rotation wait", metadata: ["until": "\(MinuteStamp.text(deadline))", "phase": "\(phase)"])
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
