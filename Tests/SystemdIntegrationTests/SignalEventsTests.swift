import Testing
@testable import SystemdIntegration
#if canImport(Glibc)
import Glibc
#endif

/// Sends real signals to the test process. SIGUSR1's default action is to terminate: if the
/// relay's handler did not take it over, the whole test run dies here.
@Suite(.serialized) struct SignalEventsTests {
    @Test(.timeLimit(.minutes(1))) func rotateNowAndReloadArriveAsEvents() async throws {
        let signals = SignalEvents([.rotateNow, .reload])
        defer { signals.cancel() }
        var iterator = signals.events.makeAsyncIterator()
        #expect(kill(getpid(), SIGUSR1) == 0)
        #expect(await iterator.next() == .rotateNow)
        #expect(kill(getpid(), SIGHUP) == 0)
        #expect(await iterator.next() == .reload)
    }

    @Test(.timeLimit(.minutes(1))) func signalsSentBeforeReadingAreBuffered() async throws {
        let signals = SignalEvents([.rotateNow])
        #expect(kill(getpid(), SIGUSR1) == 0)
        var iterator = signals.events.makeAsyncIterator()
        #expect(await iterator.next() == .rotateNow)
        signals.cancel()
        #expect(await iterator.next() == nil)
    }

    /// Cooperative-pool threads block nearly every signal; the relay's reader thread, created from
    /// one of them, must still take the daemon's signals, or a process whose every thread blocks
    /// them (a parent spawned it from such a thread) would never see SIGTERM.
    @Test func theReaderThreadTakesTheDaemonsSignals() async throws {
        let signals = SignalEvents([.rotateNow])
        defer { signals.cancel() }
        var blocked = SignalRelay.shared.blockedInReader
        for _ in 0..<100 where blocked == nil {
            try await Task.sleep(for: .milliseconds(50))
            blocked = SignalRelay.shared.blockedInReader
        }
        #expect(blocked == [])
    }

    @Test func signalNumbersAreTheDaemonsContract() {
        #expect(DaemonSignal.rotateNow.number == SIGUSR1)
        #expect(DaemonSignal.reload.number == SIGHUP)
        #expect(DaemonSignal.terminate.number == SIGTERM)
        #expect(DaemonSignal.interrupt.number == SIGINT)
        #expect(DaemonSignal.allCases.map(\.description) == ["SIGUSR1", "SIGHUP", "SIGTERM", "SIGINT"])
    }
}
