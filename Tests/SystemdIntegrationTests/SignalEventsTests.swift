import Testing
@testable import SystemdIntegration
#if canImport(Glibc)
import Glibc
#endif

/// Sends real signals to the test process. SIGUSR1's default action is to terminate: if the
/// dispatch source did not take it over, the whole test run dies here.
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

    @Test func signalNumbersAreTheDaemonsContract() {
        #expect(DaemonSignal.rotateNow.number == SIGUSR1)
        #expect(DaemonSignal.reload.number == SIGHUP)
        #expect(DaemonSignal.terminate.number == SIGTERM)
        #expect(DaemonSignal.interrupt.number == SIGINT)
        #expect(DaemonSignal.allCases.map(\.description) == ["SIGUSR1", "SIGHUP", "SIGTERM", "SIGINT"])
    }
}
