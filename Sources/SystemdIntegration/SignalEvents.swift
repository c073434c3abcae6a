import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The signals keyrotd acts on (see the unit and the README).
public enum DaemonSignal: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// SIGUSR1: rotate now.
    case rotateNow
    /// SIGHUP: reload the configuration.
    case reload
    /// SIGTERM: stop gracefully (systemctl stop).
    case terminate
    /// SIGINT: stop gracefully (Ctrl-C).
    case interrupt

    public var number: Int32 {
        switch self {
        case .rotateNow: SIGUSR1
        case .reload: SIGHUP
        case .terminate: SIGTERM
        case .interrupt: SIGINT
        }
    }

    public var description: String {
        switch self {
        case .rotateNow: "SIGUSR1"
        case .reload: "SIGHUP"
        case .terminate: "SIGTERM"
        case .interrupt: "SIGINT"
        }
    }
}

/// Delivers the daemon's signals as an `AsyncStream`.
///
/// Create it before sending `READY=1`: from then on a SIGUSR1 no longer has its default action
/// (terminate). The handlers are process-wide `sigaction` handlers that only write the signal's
/// number to a pipe (async-signal-safe), whichever thread the kernel picks; a reader thread turns
/// the bytes into events. (libdispatch signal sources were tried first: on Linux a signal that
/// lands on a thread other than libdispatch's own still took its default action.)
/// Signals that arrive before the stream is read are buffered. After ``cancel()`` the signals
/// stay handled but are dropped.
public final class SignalEvents: Sendable {
    /// The signals, in arrival order. Ends when ``cancel()`` is called.
    public let events: AsyncStream<DaemonSignal>
    private let continuation: AsyncStream<DaemonSignal>.Continuation
    private let subscription: Int

    public init(_ signals: [DaemonSignal] = DaemonSignal.allCases) {
        let (events, continuation) = AsyncStream.makeStream(of: DaemonSignal.self)
        self.events = events
        self.continuation = continuation
        subscription = SignalRelay.shared.subscribe(signals, continuation)
    }

    /// Stops listening and finishes ``events``.
    public func cancel() {
        SignalRelay.shared.unsubscribe(subscription)
        continuation.finish()
    }

    deinit {
        cancel()
    }
}
