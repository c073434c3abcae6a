import Testing
@testable import SystemdIntegration
import KeyrotTestSupport

@Suite struct NotifyStateTests {
    @Test func statesAreSentAsTheirProtocolAssignments() {
        #expect(NotifyState.payload([.ready, .status("idle")]) == "READY=1\nSTATUS=idle")
        #expect(NotifyState.reloading(monotonicMicroseconds: 42).assignments == ["RELOADING=1", "MONOTONIC_USEC=42"])
        #expect(NotifyState.extendTimeout(microseconds: 30_000_000).assignments == ["EXTEND_TIMEOUT_USEC=30000000"])
        #expect(NotifyState.errno(5).assignments == ["ERRNO=5"])
        #expect(NotifyState.stopping.assignments == ["STOPPING=1"])
        #expect(NotifyState.watchdog.assignments == ["WATCHDOG=1"])
    }

    @Test func statusIsSanitisedToOneLine() {
        let text = "error: connect failed\nretrying at 15:00\r\n\t(attempt 2)  "
        #expect(NotifyState.status(text).assignments == ["STATUS=error: connect failed retrying at 15:00 (attempt 2)"])
        #expect(NotifyState.singleLine("\u{07}bell\u{0B}") == "bell")
    }

    @Test func reloadingNowUsesTheMonotonicClock() {
        guard case .reloading(let first) = NotifyState.reloadingNow(),
              case .reloading(let second) = NotifyState.reloadingNow() else {
            Issue.record("reloadingNow did not produce .reloading")
            return
        }
        #expect(first > 0)
        #expect(second >= first)
    }

    @Test func recordingNotifierKeepsEveryMessageInOrder() throws {
        let notifier = RecordingNotifier()
        try notifier.notify(.ready, .status("up"))
        try notifier.notify(.status("rotating"))
        #expect(notifier.sent == [[.ready, .status("up")], [.status("rotating")]])
        #expect(notifier.statusTexts == ["up", "rotating"])
    }
}
