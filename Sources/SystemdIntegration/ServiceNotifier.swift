/// Tells the service manager what the daemon is doing. The daemon loop talks to this protocol so
/// it can be tested with a recording one (KeyrotTestSupport); ``SystemdNotifier`` is the real one.
public protocol ServiceNotifier: Sendable {
    /// True when a service manager listens (`$NOTIFY_SOCKET` is set). When false, ``notify(_:)``
    /// does nothing.
    var isSupervised: Bool { get }

    /// Sends the states together, in one datagram.
    /// - Throws: ``SystemdError`` when the message could not be delivered to the listening manager.
    func notify(_ states: [NotifyState]) throws
}

extension ServiceNotifier {
    /// Sends the states together, in one datagram.
    public func notify(_ states: NotifyState...) throws {
        try notify(states)
    }
}
