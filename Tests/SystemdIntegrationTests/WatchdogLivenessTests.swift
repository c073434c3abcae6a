import KeyrotTestSupport
import Logging
import SystemdIntegration
import Testing

/// The watchdog pings only while the work is alive (issue 10): a step stuck past its bound stops
/// the pings, so systemd restarts the daemon instead of keeping a hung process alive.
@Suite struct WatchdogLivenessTests {
    @Test("no ping while a step is stuck; pings resume when it ends")
    func withholdsPingsWhileStuck() async throws {
        let clock = ManualClock()
        let notifier = RecordingNotifier()
        let stuck = Shared<String?>(nil)
        let watchdog = Watchdog(timeout: .seconds(30), notifier: notifier, logger: Logger(label: "test"), clock: clock)
        let task = Task { await watchdog.run(stuckWork: { stuck.value }) }
        defer { task.cancel() }
        #expect(await Eventually.holds { notifier.states.count == 1 })

        await clock.advance(by: 60, inStepsOf: 15)
        let whileAlive = notifier.states.count
        #expect(whileAlive == 5, "one ping at once and one every 15 s of a 30 s watchdog")

        stuck.value = "readFile has been running for 16 s"
        await clock.advance(by: 120, inStepsOf: 15)
        #expect(notifier.states.count == whileAlive, "the watchdog kept pinging for a stuck step")

        stuck.value = nil
        await clock.advance(by: 30, inStepsOf: 15)
        #expect(notifier.states.count == whileAlive + 2)
        #expect(notifier.states.allSatisfy { $0 == .watchdog })
    }
}
