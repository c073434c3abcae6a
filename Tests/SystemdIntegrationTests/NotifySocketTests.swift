import Logging
import Testing
import Synchronization
@testable import SystemdIntegration
import KeyrotTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// sd_notify and sd_watchdog_enabled against a real datagram socket. Serialised: they change
/// NOTIFY_SOCKET and WATCHDOG_USEC in the process environment.
@Suite(.serialized) struct NotifySocketTests {
    @Test func eachStateArrivesAsExactlyItsDatagram() async throws {
        let listener = try DatagramListener.abstract()
        try await ProcessEnvironment.with(["NOTIFY_SOCKET": listener.address]) { () async throws in
            let notifier = SystemdNotifier()
            #expect(notifier.isSupervised)
            try notifier.notify(.ready, .status("key AKIA…ABCD is 12 days old;\nnext rotation 2027-02-20"))
            #expect(listener.receive() == "READY=1\nSTATUS=key AKIA…ABCD is 12 days old; next rotation 2027-02-20")
            try notifier.notify(.watchdog)
            #expect(listener.receive() == "WATCHDOG=1")
            try notifier.notify(.reloading(monotonicMicroseconds: 123_456))
            #expect(listener.receive() == "RELOADING=1\nMONOTONIC_USEC=123456")
            try notifier.notify(.stopping, .extendTimeout(microseconds: 20_000_000))
            #expect(listener.receive() == "STOPPING=1\nEXTEND_TIMEOUT_USEC=20000000")
            try notifier.notify(.errno(2))
            #expect(listener.receive() == "ERRNO=2")
        }
    }

    @Test func outsideSystemdNothingIsSentAndNothingFails() async throws {
        let listener = try DatagramListener.abstract()
        try await ProcessEnvironment.with(["NOTIFY_SOCKET": nil]) { () async throws in
            let notifier = SystemdNotifier()
            #expect(!notifier.isSupervised)
            try notifier.notify(.ready)
            #expect(listener.receive(timeout: .milliseconds(100)) == nil)
        }
    }

    @Test func aVanishedNotifySocketIsReportedAsAnError() async throws {
        try await ProcessEnvironment.with(["NOTIFY_SOCKET": "@keyrotd-test-nobody-listens-here"]) { () async throws in
            #expect(throws: SystemdError.self) { try SystemdNotifier().notify(.ready) }
        }
    }

    @Test func watchdogFromEnvironmentPingsTheSocketAtHalfTheTimeout() async throws {
        let listener = try DatagramListener.abstract()
        try await ProcessEnvironment.with([
            "NOTIFY_SOCKET": listener.address, "WATCHDOG_USEC": "200000", "WATCHDOG_PID": nil,
        ]) {
            let watchdog = try #require(try Watchdog.fromEnvironment(notifier: SystemdNotifier(), logger: Logger(label: "test")))
            #expect(watchdog.timeout == .milliseconds(200))
            #expect(watchdog.pingInterval == .milliseconds(100))
            let task = Task { await watchdog.run() }
            try await Task.sleep(for: .seconds(1))
            task.cancel()
            await task.value
            let pings = listener.drain()
            #expect(pings.count >= 2)
            #expect(pings.allSatisfy { $0 == "WATCHDOG=1" })
        }
    }

    @Test func watchdogIsOffWithoutWatchdogUsecOrForAnotherProcess() async throws {
        let logger = Logger(label: "test")
        try await ProcessEnvironment.with(["WATCHDOG_USEC": nil, "WATCHDOG_PID": nil]) { () async throws in
            #expect(try Watchdog.fromEnvironment(notifier: RecordingNotifier(), logger: logger) == nil)
        }
        try await ProcessEnvironment.with(["WATCHDOG_USEC": "200000", "WATCHDOG_PID": "\(getpid() + 1)"]) { () async throws in
            #expect(try Watchdog.fromEnvironment(notifier: RecordingNotifier(), logger: logger) == nil)
        }
        try await ProcessEnvironment.with(["WATCHDOG_USEC": "soon", "WATCHDOG_PID": nil]) { () async throws in
            #expect(throws: SystemdError.self) { try Watchdog.fromEnvironment(notifier: RecordingNotifier(), logger: logger) }
        }
    }
}

@Suite struct WatchdogTests {
    @Test func pingsKeepComingWhileOtherWorkBlocks() async throws {
        let notifier = RecordingNotifier()
        let watchdog = Watchdog(timeout: .milliseconds(200), notifier: notifier, logger: Logger(label: "test"))
        let pingsDuringWork = Mutex(0)
        await withDiscardingTaskGroup { group in
            group.addTask { await watchdog.run() }
            // This task stands in for a slow AWS call: the pings must keep coming meanwhile. The
            // wait is bounded generously (a loaded machine is slow), it is not a timing assertion.
            let giveUp = ContinuousClock.now + .seconds(30)
            while notifier.states.count < 3, ContinuousClock.now < giveUp {
                try? await Task.sleep(for: .milliseconds(50))
            }
            pingsDuringWork.withLock { $0 = notifier.states.count }
            group.cancelAll()
        }
        #expect(pingsDuringWork.withLock { $0 } >= 3)
        #expect(notifier.states.allSatisfy { $0 == .watchdog })
    }

    @Test(.timeLimit(.minutes(1))) func runReturnsWhenCancelled() async {
        let watchdog = Watchdog(timeout: .seconds(3600), notifier: RecordingNotifier(), logger: Logger(label: "test"))
        let task = Task { await watchdog.run() }
        task.cancel()
        await task.value
    }
}
