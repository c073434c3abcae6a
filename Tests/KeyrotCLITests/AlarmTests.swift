import Foundation
@testable import KeyrotCLI
import KeyrotTestSupport
import Logging
import ServiceLifecycle
import Testing

/// The daemon's re-armable timer, as a service of a real `ServiceGroup` on a manual clock.
@Suite("Alarm: the daemon's re-armable timer", .timeLimit(.minutes(1)))
struct AlarmTests {
    let clock = ManualClock()
    let fired = Shared<[Int]>([])

    func alarm() -> Alarm {
        Alarm(clock: clock) { [fired] generation in fired.update { $0.append(generation) } }
    }

    func group(_ alarm: Alarm) -> ServiceGroup {
        ServiceGroup(configuration: ServiceGroupConfiguration(services: [alarm], logger: Logger(label: "test")))
    }

    @Test("re-arming replaces the deadline: the replaced sleep ends, only the newest generation fires")
    func rearmingReplaces() async throws {
        let alarm = alarm()
        let group = group(alarm)
        let running = Task { try await group.run() }
        let start = clock.now
        #expect(alarm.arm(at: start.addingTimeInterval(100)) == 1)
        #expect(await Eventually.holds { clock.pendingDeadlines == [start.addingTimeInterval(100)] })
        #expect(alarm.arm(at: start.addingTimeInterval(50)) == 2)
        #expect(await Eventually.holds { clock.pendingDeadlines == [start.addingTimeInterval(50)] },
                "the replaced deadline is still slept")
        clock.advance(by: 50)
        #expect(await Eventually.holds { fired.value == [2] })
        clock.advance(by: 100)
        try await Task.sleep(for: .milliseconds(50))
        #expect(fired.value == [2])
        #expect(clock.pendingDeadlines.isEmpty)
        await group.triggerGracefulShutdown()
        try await running.value
    }

    @Test("an arming made before the service runs is slept once it does; one that has passed fires at once")
    func armingBeforeRunning() async throws {
        let alarm = alarm()
        alarm.arm(at: clock.now.addingTimeInterval(-1))
        let group = group(alarm)
        let running = Task { try await group.run() }
        #expect(await Eventually.holds { fired.value == [1] })
        alarm.arm(at: clock.now.addingTimeInterval(10))
        clock.advance(by: 10)
        #expect(await Eventually.holds { fired.value == [1, 2] })
        await group.triggerGracefulShutdown()
        try await running.value
    }

    @Test("the group's shutdown ends the alarm and its sleep; nothing fires afterwards")
    func shutdownEndsTheSleep() async throws {
        let alarm = alarm()
        let group = group(alarm)
        let running = Task { try await group.run() }
        alarm.arm(at: clock.now.addingTimeInterval(60))
        #expect(await Eventually.holds { clock.pendingDeadlines.count == 1 })
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(clock.pendingDeadlines.isEmpty, "a sleep outlived the group")
        alarm.arm(at: clock.now)
        clock.advance(by: 120)
        try await Task.sleep(for: .milliseconds(50))
        #expect(fired.value.isEmpty)
    }
}
