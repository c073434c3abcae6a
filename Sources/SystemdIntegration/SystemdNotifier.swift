internal import CSystemd
import FoundationEssentials

/// The ``ServiceNotifier`` that speaks to systemd through libsystemd's `sd_notify`.
///
/// Outside systemd (`$NOTIFY_SOCKET` unset) every call is a no-op, as in libsystemd itself.
public struct SystemdNotifier: ServiceNotifier {
    public let isSupervised: Bool

    /// - Parameter environment: where `NOTIFY_SOCKET` is looked up; `sd_notify` itself always
    ///   reads the process environment, so pass a different one only to test the decision.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        isSupervised = !(environment["NOTIFY_SOCKET"] ?? "").isEmpty
    }

    public func notify(_ states: [NotifyState]) throws {
        guard isSupervised, !states.isEmpty else { return }
        let result = sd_notify(0, NotifyState.payload(states))
        if result < 0 {
            throw SystemdError(
                code: -result,
                message: "sd_notify could not reach the service manager at $NOTIFY_SOCKET; "
                    + "check that the unit is Type=notify and NotifyAccess allows the main process")
        }
    }
}
