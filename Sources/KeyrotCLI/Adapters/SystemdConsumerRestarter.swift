import Logging
import RotationEngine
import SystemdIntegration

/// The engine's `ConsumerRestarter` over systemd's D-Bus API. The call blocks; the off-pool hook
/// (`OffPoolFileWork`, kind `.restart`) runs it on a thread of its own.
struct SystemdConsumerRestarter: ConsumerRestarter {
    let timeout: Duration
    let logger: Logger
    let restarter: SystemdUnitRestarter

    func restart(unit: String, startIfStopped: Bool) async throws -> UnitRestartOutcome {
        do {
            switch try restarter.restart(unit: unit, startIfStopped: startIfStopped, timeout: timeout) {
            case .restarted:
                logger.info("\(unit) restarted and active", metadata: ["unit": .string(unit)])
                return .restarted
            case .stayedStopped(let state):
                logger.notice("\(unit) was not running (\(state)); try-restart left it stopped", metadata: ["unit": .string(unit)])
                return .notRunning
            }
        } catch {
            throw RotationPortError(Self.code(for: error.code), error.message, cause: error)
        }
    }

    /// Nothing restarted: access denied, no such unit. Maybe queued: unreachable. Ran and failed: failed.
    static func code(for code: UnitRestartError.Code) -> RotationPortError.Code {
        switch code {
        case .accessDenied: .accessDenied
        case .noSuchUnit: .noSuchEntity
        case .busUnavailable, .callFailed: .unreachable
        case .jobFailed, .notActive, .timedOut: .failed
        }
    }
}
