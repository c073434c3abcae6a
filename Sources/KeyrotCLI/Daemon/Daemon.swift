import CredentialFiles
import DurableFS
import FoundationEssentials
import KeyrotConfig
import KeyrotCore
import Logging
import RotationEngine
import ServiceLifecycle
import SystemdIntegration

/// The `keyrotd run` loop: take the state directory's lock (waiting while a foreground
/// `keyrotd rotate` holds it), recover, report READY, then sleep until the key is due or
/// `check_interval` passes, rotating when due; SIGUSR1 rotates now, SIGHUP reloads the
/// configuration, SIGTERM/SIGINT stop at a safe point, or after ``DaemonContext/stopBudget``
/// whatever a step is doing.
///
/// Everything that wakes the loop arrives as one `Wake` on one stream, and the loop alone owns
/// the state (the lock, the current run, the schedule, the configuration). What wakes it (the
/// signals, the watchdog, the two alarms) runs as services of one `ServiceGroup` beside the loop.
final class Daemon {
    private enum Wake: Sendable {
        case timer(generation: Int)
        case signal(DaemonSignal)
        case runFinished(RotationOutcome)
        case recovered
        case stopBudgetSpent
        /// The helper group ended. Sent on every way out, but read only while the loop runs:
        /// that is, when the group ended without the loop asking it to.
        case helpersEnded
    }

    private let context: DaemonContext
    private let logger: Logger
    private let monitor: StepMonitor
    private let wakes: AsyncStream<Wake>
    private let wake: AsyncStream<Wake>.Continuation

    private var configuration: KeyrotConfiguration
    /// Taken once and held until the process ends: a reload swaps the configuration only.
    private var lock: StateDirectoryLock?
    private var runner: (any RotationRunner)?
    private var keyObserver: FileKeyObserver
    private var schedule: DaemonSchedule
    private var isWaitingForLock = false
    private var currentRun: Task<Void, Never>?
    /// The next scheduled wake: the key due, `check_interval`, a retry, the lock tried again.
    private let nextWake: Alarm
    /// Armed by a stop request during a run: the end of ``DaemonContext/stopBudget``.
    private let stopBudgetAlarm: Alarm
    private var nextWakeGeneration = 0
    private var isReady = false
    private var isStopping = false
    private var reloadPending = false
    /// SIGUSR1 arrived during a run: rotate when that run ends without having rotated (it was
    /// only the start-up recovery or a scheduled check); ignored when it did rotate.
    private var rotateNowPending = false

    init(configuration: KeyrotConfiguration, context: DaemonContext) {
        self.configuration = configuration
        self.context = context
        logger = context.logger
        monitor = StepMonitor(clock: context.clock, bounds: .init(configuration))
        keyObserver = Self.observer(for: configuration)
        let (wakes, wake) = AsyncStream.makeStream(of: Wake.self)
        self.wakes = wakes
        self.wake = wake
        nextWake = Alarm(clock: context.clock) { wake.yield(.timer(generation: $0)) }
        stopBudgetAlarm = Alarm(clock: context.clock) { _ in wake.yield(.stopBudgetSpent) }
        schedule = DaemonSchedule(for: configuration)
    }

    /// Runs until SIGTERM or SIGINT (0) or until the state directory cannot be used (75). Returns
    /// once no rotation step is in flight, or abandons a step still running after the stop budget
    /// (the next start resumes from the record).
    ///
    /// One way out: when the loop returns, it shuts the helper group down (in reverse order: the
    /// alarms, the signal relay, then the watchdog, which pings until the others have ended) and
    /// waits for it. The loop runs in this task rather than as a service, so that the state it owns
    /// needs no lock. A run is an unstructured task on purpose: a step stuck in the kernel (a hung
    /// mount) cannot be cancelled, and a structured one would hold the shutdown until it returned.
    func run() async -> Int32 {
        let helpers = ServiceGroup(configuration: ServiceGroupConfiguration(services: helperServices(), logger: logger))
        return await withDiscardingTaskGroup(returning: Int32.self) { group in
            group.addTask { [logger, wake] in
                do {
                    try await helpers.run()
                } catch {
                    logger.error("the daemon's helpers stopped: \(error)")
                }
                wake.yield(.helpersEnded)
            }
            let status = await loop()
            await helpers.triggerGracefulShutdown()
            return status
        }
    }

    /// The watchdog (first, so that it is the last to stop), the signals relayed as wakes, and the
    /// two alarms. Each ends on the group's graceful shutdown.
    private func helperServices() -> [any Service] {
        var services: [any Service] = []
        if let watchdog = context.watchdog {
            services.append(ClosureService { [monitor] in
                await cancelWhenGracefulShutdown { await watchdog.run(stuckWork: { monitor.stuckCall()?.description }) }
            })
        }
        services.append(ClosureService { [signals = context.signals, wake] in
            for await signal in signals.cancelOnGracefulShutdown() { wake.yield(.signal(signal)) }
        })
        return services + [nextWake, stopBudgetAlarm]
    }

    private func loop() async -> Int32 {
        if let failure = takeLock() { return failure }
        for await event in wakes {
            switch event {
            case .recovered:
                sendReady()
            case .runFinished(let outcome):
                currentRun = nil
                finished(outcome)
                if isStopping { return ExitStatus.success }
                if reloadPending { reload() }
                if rotateNowPending {
                    rotateNowPending = false
                    if case .idle = outcome {
                        logger.notice("rotating now, as asked by SIGUSR1")
                        startRun(.rotate(force: true))
                    } else {
                        logger.notice("SIGUSR1 received while a rotation was under way: ignored")
                    }
                }
            case .timer(let generation) where generation == nextWakeGeneration && currentRun == nil:
                if lock == nil {
                    if let failure = takeLock() { return failure }
                } else {
                    startRun(.rotate(force: false))
                }
            case .timer:
                break
            case .stopBudgetSpent:
                let calls = monitor.callsInFlight
                let what = calls.isEmpty ? "the run" : calls.joined(separator: ", ")
                logger.error("no safe point reached within \(context.stopBudget) of the stop request; abandoning \(what): the next start resumes the rotation from its record")
                return ExitStatus.success
            case .helpersEnded:
                // Without its alarms and signals the loop would wait for nothing: exit, and let
                // systemd start keyrotd again (Restart=on-failure).
                logger.critical("the daemon's timers and signal relay ended unexpectedly; exiting")
                return ExitStatus.temporaryFailure
            case .signal(.rotateNow):
                if lock == nil {
                    logger.notice("SIGUSR1 received while waiting for the state directory's lock: ignored")
                } else if currentRun != nil {
                    logger.notice("SIGUSR1 received during a run: rotating when it ends, unless it rotates")
                    rotateNowPending = true
                } else {
                    logger.notice("SIGUSR1 received: rotating now")
                    startRun(.rotate(force: true))
                }
            case .signal(.reload):
                if currentRun != nil {
                    logger.notice("SIGHUP received during a rotation: the configuration is reloaded when it ends")
                    reloadPending = true
                } else {
                    reload()
                }
            case .signal(.terminate), .signal(.interrupt):
                guard !isStopping else { break }
                isStopping = true
                notify(.stopping)
                logger.notice("stopping", metadata: [MessageID.metadataKey: MessageID.daemonStopping.metadataValue])
                guard let currentRun else { return ExitStatus.success }
                runner?.requestStop()
                currentRun.cancel()
                // The run gets the stop budget to reach a safe point (TimeoutStopSec covers it), then it is abandoned.
                stopBudgetAlarm.arm(at: context.clock.now.addingTimeInterval(context.stopBudget.timeInterval))
            }
        }
        return ExitStatus.success
    }

    // MARK: the lock

    /// Takes the state directory's lock and starts the recovery run. While another process holds
    /// it (a foreground `keyrotd rotate`, which with `--wait` waits hours through overlap and grace), says so
    /// in STATUS, reports READY (the service is up, only waiting) and tries again later, instead of
    /// failing until systemd's start limit gives up. Returns an exit status on any other failure.
    private func takeLock() -> Int32? {
        do {
            let lock = try context.lockStateDirectory(configuration)
            let runner = try makeRunner(configuration, lock: lock)
            self.lock = lock
            self.runner = runner
        } catch let error as DurableFSError where error.code == .lockHeld {
            if !isWaitingForLock {
                isWaitingForLock = true
                logger.notice("waiting for the state directory: \(error.message)")
            }
            setStatus("waiting for the state directory's lock: \(error.message); retrying every \(context.lockRetryInterval)")
            sendReady()
            arm(at: context.clock.now.addingTimeInterval(context.lockRetryInterval.timeInterval))
            return nil
        } catch {
            logger.critical("cannot start: \(error)")
            notify(.status("error: \(error)"))
            return ExitStatus.temporaryFailure
        }
        isWaitingForLock = false
        logger.notice("keyrotd started: rotating the key of \(configuration.user) across \(configuration.files.count) file(s)",
                      metadata: [MessageID.metadataKey: MessageID.daemonStarted.metadataValue, "user": "\(configuration.user)"])
        startRun(.resume)
        return nil
    }

    private func makeRunner(_ configuration: KeyrotConfiguration, lock: StateDirectoryLock) throws -> any RotationRunner {
        let wake = wake
        let clock = ReadinessClock(wrapped: context.clock, threshold: 30) { wake.yield(.recovered) }
        let observer = Self.observer(for: configuration)
        let runner = try context.makeRunner(configuration, lock, clock, [monitor, observer])
        keyObserver = observer
        return runner
    }

    private static func observer(for configuration: KeyrotConfiguration) -> FileKeyObserver {
        FileKeyObserver(path: configuration.files.first?.path ?? "")
    }

    // MARK: runs

    private func startRun(_ request: RotationRequest) {
        guard let runner else { return }
        currentRun = Task { [wake] in
            let outcome = await runner.run(request)
            wake.yield(.runFinished(outcome))
        }
    }

    private func finished(_ outcome: RotationOutcome) {
        let now = context.clock.now
        // The state directory is keyrotd's own (0700): no FIFO or mount of someone else's there.
        LastRunRecord(outcome: outcome, at: now, maxAge: configuration.maxAge.timeInterval).save(stateDirectory: configuration.stateDirectory)
        if case .idle = outcome {} else {
            logger.log(level: ExitStatus.of(outcome) == ExitStatus.success ? .info : .warning, "\(OutcomeReport.text(outcome))")
        }
        guard !isStopping else {
            sendReady()
            return
        }
        let next = schedule.nextWake(after: outcome, now: now)
        // STATUS= before READY=1: `systemctl start` returns on READY, and the status must then be current.
        setStatus(statusText(after: outcome, next: next, now: now))
        sendReady()
        arm(at: next)
        // Idle until `next`, often hours: the binary's pages that start-up and the run touched go
        // back to the kernel rather than stay in the RSS.
        ExecutablePages.pageOut()
    }

    private func arm(at date: Date) {
        nextWakeGeneration = nextWake.arm(at: date)
    }

    // MARK: reload

    /// Swaps the configuration, never the lock: the lock taken at start stays held throughout.
    private func reload() {
        reloadPending = false
        notify(.reloadingNow())
        do {
            let reloaded = try context.loadConfiguration()
            if let lock {
                guard reloaded.stateDirectory == configuration.stateDirectory else {
                    throw CLIError("state_dir changed from \(configuration.stateDirectory) to \(reloaded.stateDirectory); "
                                   + "a reload keeps the state directory and its lock: restart keyrotd to move it")
                }
                runner = try makeRunner(reloaded, lock: lock)
            }
            configuration = reloaded
            monitor.update(.init(reloaded))
            schedule = DaemonSchedule(for: reloaded)
            logger.notice("configuration reloaded from \(context.configPath)",
                          metadata: [MessageID.metadataKey: MessageID.configurationReloaded.metadataValue])
            arm(at: context.clock.now)
        } catch {
            logger.error("the new configuration is not used, the previous one stays in force: \(error)",
                         metadata: [MessageID.metadataKey: MessageID.configurationInvalid.metadataValue])
        }
        notify(.ready)
    }

    // MARK: systemd

    private func sendReady() {
        guard !isReady else { return }
        isReady = true
        notify(.ready)
    }

    private func setStatus(_ text: String) {
        notify(.status(text))
    }

    private func notify(_ state: NotifyState) {
        do {
            try context.notifier.notify([state])
        } catch {
            logger.warning("sd_notify failed: \(error)")
        }
    }

    private func statusText(after outcome: RotationOutcome, next: Date, now: Date) -> String {
        switch outcome {
        case .idle(let nextDue):
            return idleStatus(nextDue: nextDue, now: now)
        case .completed(_, let new):
            return "rotation completed: key \(new.abbreviated) in use; next check \(MinuteStamp.text(next))"
        case .refused(let error), .failed(let error), .rolledBack(let error), .deferred(_, _, let error):
            return "error: \(error.message); retrying at \(MinuteStamp.text(next))"
        case .retirementPending(_, let old, _, let resumesAt):
            return "rotated; old key \(old.abbreviated) retires from \(MinuteStamp.text(resumesAt))"
        case .interrupted(let phase, _):
            return "stopped in phase \(phase)"
        }
    }

    /// "key AKIA…ABCD is 12 days old; next rotation 2027-02-20 09:00 UTC", the key as the run read
    /// it (STATUS reads no file: a read may block).
    private func idleStatus(nextDue: Date?, now: Date) -> String {
        guard let nextDue else { return "idle; next check in \(Duration.seconds(schedule.checkInterval))" }
        let createdAt = nextDue.addingTimeInterval(-configuration.maxAge.timeInterval)
        let key = keyObserver.abbreviatedKeyID ?? "in the files"
        return "key \(key) is \(KeyAge.text(days: KeyAge.days(createdAt: createdAt, now: now))) old; next rotation \(MinuteStamp.text(nextDue))"
    }
}
