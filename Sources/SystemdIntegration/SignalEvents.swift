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

/// Delivers the daemon's signals as an `AsyncStream`, through libdispatch signal sources.
///
/// The sources are installed in `init`, so create this before sending `READY=1`: from then on a
/// SIGUSR1 no longer has its default action (terminate). On Linux, libdispatch takes the signal
/// over itself; do not also set SIG_IGN (that is only needed on Darwin).
/// Signals that arrive before the stream is read are buffered.
public final class SignalEvents: Sendable {
    /// The signals, in arrival order. Ends when ``cancel()`` is called.
    public let events: AsyncStream<DaemonSignal>
    private let continuation: AsyncStream<DaemonSignal>.Continuation
    private let sources: SignalSources

    public init(_ signals: [DaemonSignal] = DaemonSignal.allCases) {
        let (events, continuation) = AsyncStream.makeStream(of: DaemonSignal.self)
        self.events = events
        self.continuation = continuation
        let queue = DispatchQueue(label: "keyrotd.signals")
        sources = SignalSources(signals.map { signal in
            let source = DispatchSource.makeSignalSource(signal: signal.number, queue: queue)
            source.setEventHandler {
                for _ in 0..<max(1, source.data) { continuation.yield(signal) }
            }
            source.resume()
            return source
        })
    }

    /// Stops listening and finishes ``events``. The signals' dispositions stay with libdispatch.
    public func cancel() {
        sources.cancelAll()
        continuation.finish()
    }

    deinit {
        cancel()
    }
}

/// The dispatch sources, which are thread-safe but not marked `Sendable`; they are only ever
/// resumed in `init` and cancelled.
private final class SignalSources: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    init(_ sources: [any DispatchSourceSignal]) {
        self.sources = sources
    }

    func cancelAll() {
        for source in sources { source.cancel() }
    }
}
