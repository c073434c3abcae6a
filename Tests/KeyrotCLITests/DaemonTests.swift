import DurableFS
import Foundation
@testable import KeyrotCLI
import KeyrotConfig
import KeyrotCore
import KeyrotTestSupport
import RotationEngine
import SystemdIntegration
import Testing

/// The daemon's loop driven by a manual clock: watchdog liveness, the stop deadline, the lock
/// across reloads and while a foreground rotation holds it, and the schedule.
@Suite("keyrotd run, on a manual clock", .timeLimit(.minutes(2)))
struct DaemonTests {
    @Test("a step stuck past its bound stops the watchdog pings")
    func stuckStepStopsWatchdog() async throws {
        let harness = try DaemonHarness { _, _, hooks in
            _ = try? await hooks.around(PortCall(name: "readFile", kind: .file)) { await hangForever() }
            return .idle(nextDue: nil)
        }
        harness.start(watchdog: .seconds(30))
        #expect(await Eventually.holds { harness.requests.count == 1 && harness.watchdogPings == 1 })

        // The file bound is 15 s: the ping at 15 s still goes, from then on none.
        await harness.clock.advance(by: 30, inStepsOf: 15)
        let pingsBeforeStuck = harness.watchdogPings
        #expect(pingsBeforeStuck <= 3)
        await harness.clock.advance(by: 300, inStepsOf: 15)
        #expect(harness.watchdogPings == pingsBeforeStuck, "the watchdog kept a stuck daemon alive")
        try await Self.stop(harness, abandoning: true)
    }

    @Test("a long deliberate wait (overlap) keeps the watchdog pinging")
    func overlapWaitKeepsPinging() async throws {
        let harness = try DaemonHarness { _, clock, _ in
            try? await clock.sleep(for: .seconds(3_600))
            return .idle(nextDue: nil)
        }
        harness.start(watchdog: .seconds(30))
        // The watchdog and the overlap wait both sleep on the clock.
        #expect(await Eventually.holds { harness.clock.pendingDeadlines.count == 2 })
        await harness.clock.advance(by: 3_585, inStepsOf: 15, sleepers: 2)
        #expect(harness.watchdogPings == 1 + 3_585 / 15)
        try await Self.stop(harness, abandoning: true)
    }

    @Test("SIGTERM ends the daemon within the stop budget while a step hangs, without extending systemd's timeout")
    func stopAbandonsStuckStep() async throws {
        let harness = try DaemonHarness { _, _, hooks in
            _ = try? await hooks.around(PortCall(name: "rewriteFile", kind: .file)) { await hangForever() }
            return .idle(nextDue: nil)
        }
        harness.start()
        #expect(await Eventually.holds { harness.requests.count == 1 })
        harness.send(.terminate)
        #expect(await Eventually.holds { harness.clock.pendingDeadlines.count == 1 }, "no stop deadline armed")
        harness.clock.advance(by: 19)
        try await Task.sleep(for: .milliseconds(50))
        #expect(harness.exitStatus == nil, "gave up before the budget")
        harness.clock.advance(by: 1)
        #expect(await Eventually.holds { harness.exitStatus == 0 })
        #expect(harness.allRunners.first?.stopRequests == 1)
        #expect(harness.notifier.states.contains(.stopping))
        #expect(!harness.notifier.states.contains { if case .extendTimeout = $0 { true } else { false } })
    }

    @Test("SIGHUP swaps the configuration; the state directory stays locked throughout")
    func reloadKeepsTheLock() async throws {
        let harness = try DaemonHarness { _, _, _ in .idle(nextDue: nil) }
        harness.start()
        #expect(await Eventually.holds { harness.notifier.statusTexts.contains { $0.hasPrefix("idle") } })
        for reloads in 1...3 {
            harness.send(.reload)
            #expect(await Eventually.holds { harness.allRunners.count == 1 + reloads })
        }
        #expect(harness.timesLocked == 1, "a reload let go of the lock and took it again: another process could take it in between")
        #expect(harness.lockHeldWhenRunnersWereBuilt == [true, true, true, true],
                "the lock was let go while a reload built the new runtime")
        #expect(throws: DurableFSError.self) { _ = try StateDirectoryLock.acquire(directory: harness.configuration.stateDirectory) }
        harness.send(.terminate)
        #expect(await Eventually.holds { harness.exitStatus == 0 })
    }

    @Test("a reload that moves state_dir is refused: the lock stays where it is")
    func reloadKeepsStateDirectory() async throws {
        let harness = try DaemonHarness { _, _, _ in .idle(nextDue: nil) }
        var moved = harness.configuration
        moved.stateDirectory = harness.directory.appending(path: "elsewhere").path
        harness.setReloadedConfiguration(moved)
        harness.start()
        #expect(await Eventually.holds { harness.allRunners.count == 1 && harness.notifier.statusTexts.contains { $0.hasPrefix("idle") } })
        let readyBefore = harness.notifier.states.filter { $0 == .ready }.count
        harness.send(.reload)
        #expect(await Eventually.holds { harness.notifier.states.filter { $0 == .ready }.count == readyBefore + 1 })
        #expect(harness.allRunners.count == 1)
        #expect(!FileManager.default.fileExists(atPath: moved.stateDirectory + "/keyrotd.lock"))
        try await Self.stop(harness, abandoning: false)
    }

    @Test("while a foreground rotate holds the lock the daemon is up and waits, STATUS naming the holder")
    func waitsForTheLock() async throws {
        let harness = try DaemonHarness { _, _, _ in .idle(nextDue: nil) }
        let foreground = try RotationRuntime.lockStateDirectory(harness.configuration)
        harness.start()
        #expect(await Eventually.holds { harness.notifier.states.contains(.ready) })
        let status = try #require(harness.notifier.statusTexts.last)
        #expect(status.contains("waiting") && status.contains("process \(getpid())"), "\(status)")
        #expect(harness.allRunners.isEmpty)
        #expect(harness.exitStatus == nil)

        foreground.release()
        harness.clock.advance(by: 5)
        #expect(await Eventually.holds { harness.requests == [.resume] })
        harness.send(.terminate)
        #expect(await Eventually.holds { harness.exitStatus == 0 })
    }

    @Test("the next wake is the earlier of the key's due time and check_interval; failures back off from 60 s")
    func schedule() async throws {
        let runs = Shared(0)
        let harness = try DaemonHarness(checkInterval: .seconds(3_600)) { _, clock, _ in
            let run = runs.update { $0 += 1; return $0 }
            switch run {
            case 1: return .idle(nextDue: clock.now.addingTimeInterval(7_200))
            case 2: return .idle(nextDue: clock.now.addingTimeInterval(600))
            default: return .failed(RotationError(.unreachable, "IAM is down"))
            }
        }
        let start = harness.clock.now
        harness.start()
        #expect(await Eventually.holds { harness.clock.pendingDeadlines == [start.addingTimeInterval(3_600)] })
        harness.clock.advance(by: 3_600)
        #expect(await Eventually.holds { harness.clock.pendingDeadlines == [start.addingTimeInterval(4_200)] })
        harness.clock.advance(by: 600)
        #expect(await Eventually.holds { harness.clock.pendingDeadlines == [start.addingTimeInterval(4_260)] })
        harness.clock.advance(by: 60)
        #expect(await Eventually.holds { harness.clock.pendingDeadlines == [start.addingTimeInterval(4_380)] })
        #expect(harness.requests == [.resume, .rotate(force: false), .rotate(force: false), .rotate(force: false)])
        harness.send(.terminate)
        #expect(await Eventually.holds { harness.exitStatus == 0 })
    }

    @Test("on the way out every helper ends with the loop: no timer left sleeping, no watchdog ping after the exit")
    func helpersEndWithTheLoop() async throws {
        let harness = try DaemonHarness { _, clock, _ in .idle(nextDue: clock.now.addingTimeInterval(600)) }
        harness.start(watchdog: .seconds(30))
        // The watchdog's next ping and the next wake, both on the clock.
        #expect(await Eventually.holds { harness.clock.pendingDeadlines.count == 2 })
        harness.send(.terminate)
        #expect(await Eventually.holds { harness.exitStatus == 0 })
        #expect(await Eventually.holds { harness.clock.pendingDeadlines.isEmpty }, "a helper outlived the daemon")
        let pings = harness.watchdogPings
        harness.clock.advance(by: 120)
        try await Task.sleep(for: .milliseconds(50))
        #expect(harness.watchdogPings == pings)
    }

    @Test("when a helper ends by itself the daemon does not wait without timers or signals: it exits 75 for Restart= to start it again")
    func helperEndingByItselfEndsTheDaemon() async throws {
        let harness = try DaemonHarness { _, clock, _ in .idle(nextDue: clock.now.addingTimeInterval(600)) }
        harness.start()
        #expect(await Eventually.holds { harness.clock.pendingDeadlines.count == 1 })
        harness.endSignals()
        #expect(await Eventually.holds { harness.exitStatus == ExitStatus.temporaryFailure })
        #expect(harness.clock.pendingDeadlines.isEmpty, "the next wake outlived the daemon")
    }

    /// SIGTERM, and past the stop budget when a run will not end by itself.
    static func stop(_ harness: DaemonHarness, abandoning: Bool) async throws {
        let budgetEnds = harness.clock.now.addingTimeInterval(20)
        harness.send(.terminate)
        if abandoning {
            // Only once the daemon armed its stop budget: advanced before, the budget would start
            // after the advance and never end (a loaded machine delays the signal's handling). A
            // run that ends at the stop request (a cancelled wait) needs no budget.
            #expect(await Eventually.holds { harness.exitStatus != nil || harness.clock.pendingDeadlines.contains(budgetEnds) })
            if harness.exitStatus == nil { harness.clock.advance(by: 20) }
        }
        #expect(await Eventually.holds { harness.exitStatus == 0 })
    }
}
