import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The write end of the self-pipe, read by the signal handler. Set once, before any handler is
/// installed, and never changed: the handler may run at any instant on any thread.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// The process-wide handler: async-signal-safe, it only writes the signal number to the pipe.
private let relaySignal: @convention(c) (Int32) -> Void = { number in
    let savedErrno = errno
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(signalPipeWriteEnd, &byte, 1)
    errno = savedErrno
}

/// One self-pipe and one reader thread per process, fanning signals out to the subscribers.
///
/// Hand-written rather than swift-service-lifecycle's `UnixSignalsSequence` (whose `ServiceGroup`
/// the daemon does use): the handlers must be in place synchronously, on the first line of `run`
/// and `rotate`, before anything can await, since the default action of SIGUSR1 and SIGHUP ends
/// the process; and SIGTERM must reach the daemon's loop, which stops at a safe point or after
/// its stop budget, rather than shut services down directly.
final class SignalRelay: Sendable {
    static let shared = SignalRelay()

    private struct Subscriber {
        let signals: Set<DaemonSignal>
        let continuation: AsyncStream<DaemonSignal>.Continuation
    }

    private struct State {
        var nextID = 0
        var subscribers: [Int: Subscriber] = [:]
        var installed: Set<Int32> = []
        /// The daemon's signals still blocked in the reader thread, as it found its mask on start.
        var blockedInReader: [DaemonSignal]?
    }

    private let state = Mutex(State())

    private init() {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            fatalError("keyrotd: cannot create the signal pipe (errno \(errno))")
        }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        signalPipeWriteEnd = ends[1]
        let readEnd = ends[0]
        let reader = Thread { [unowned self] in
            Self.unblockDaemonSignals()
            let blocked = Self.blockedDaemonSignals()
            self.state.withLock { $0.blockedInReader = blocked }
            self.relay(from: readEnd)
        }
        reader.name = "keyrotd.signals"
        reader.start()
    }

    func subscribe(_ signals: [DaemonSignal], _ continuation: AsyncStream<DaemonSignal>.Continuation) -> Int {
        state.withLock { state in
            for signal in signals where !state.installed.contains(signal.number) {
                var action = sigaction()
                action.__sigaction_handler.sa_handler = relaySignal
                sigemptyset(&action.sa_mask)
                action.sa_flags = SA_RESTART
                sigaction(signal.number, &action, nil)
                state.installed.insert(signal.number)
            }
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = Subscriber(signals: Set(signals), continuation: continuation)
            return id
        }
    }

    /// The daemon's signals blocked in the reader thread (nil until it runs): none, whatever
    /// mask the thread that created the relay had.
    var blockedInReader: [DaemonSignal]? { state.withLock { $0.blockedInReader } }

    func unsubscribe(_ id: Int) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: id) }
    }

    /// Lets the daemon's signals reach the calling thread, whatever mask it inherited. Threads of
    /// Swift's cooperative pool block nearly every signal, and so does a process started by a
    /// parent that spawned it from such a thread; with the reader thread open to them, a signal
    /// always finds a thread to run its handler on.
    private static func unblockDaemonSignals() {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in DaemonSignal.allCases { sigaddset(&signals, signal.number) }
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }

    private static func blockedDaemonSignals() -> [DaemonSignal] {
        var mask = sigset_t()
        pthread_sigmask(SIG_BLOCK, nil, &mask)
        return DaemonSignal.allCases.filter { sigismember(&mask, $0.number) == 1 }
    }

    private func relay(from readEnd: Int32) {
        var byte: UInt8 = 0
        while true {
            let count = read(readEnd, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            guard count == 1 else { return }
            guard let signal = DaemonSignal.allCases.first(where: { $0.number == Int32(byte) }) else { continue }
            state.withLock { state in
                for subscriber in state.subscribers.values where subscriber.signals.contains(signal) {
                    subscriber.continuation.yield(signal)
                }
            }
        }
    }
}
