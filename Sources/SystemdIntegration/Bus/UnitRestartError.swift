/// Why a unit could not be restarted through systemd's D-Bus API.
public struct UnitRestartError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The system bus could not be opened: nothing was asked.
        case busUnavailable
        /// systemd (polkit) refused the restart: nothing was restarted.
        case accessDenied
        /// No such unit: nothing was restarted.
        case noSuchUnit
        /// A call failed otherwise, or its answer was lost: the restart may have been queued.
        case callFailed
        /// The restart job ended with a result other than `done`.
        case jobFailed
        /// The job finished but the unit (running before, or started by RestartUnit) is not active.
        case notActive
        /// `restart_timeout` ran out before the job finished.
        case timedOut
    }

    public let code: Code
    public let unit: String
    /// Complete for an operator: names the unit and says what to do.
    public let message: String
    /// The bus call underneath, when one failed.
    public let cause: BusFailure?

    public init(_ code: Code, unit: String, _ message: String, cause: BusFailure? = nil) {
        self.code = code
        self.unit = unit
        self.message = message
        self.cause = cause
    }

    public var description: String { message }
}
