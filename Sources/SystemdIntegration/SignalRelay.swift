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
        let reader = Thread { [unowned self] in self.relay(from: readEnd) }
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

    func unsubscribe(_ id: Int) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: id) }
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
