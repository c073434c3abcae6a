import CredentialFiles
import DurableFS
import Foundation
import KeyrotConfig
import KeyrotCore
import Logging
import RotationEngine
import SystemdIntegration

/// The `keyrotd run` loop: recover, report READY, then sleep until the key is due or
/// `check_interval` passes, rotating when due; SIGUSR1 rotates now, SIGHUP reloads the
/// configuration, SIGTERM/SIGINT stop at a safe point.
///
/// Everything that wakes the loop arrives as one `Wake` on one stream, and the loop alone owns
/// the state (the current run, the schedule, the configuration).
final class Daemon {
    private enum Wake: Sendable {
        case timer(generation: Int)
        case signal(DaemonSignal)
        case runFinished(RotationOutcome)
        case recovered
    }

    private let configPath: String
    private let notifier: any ServiceNotifier
    private let logger: Logger
    private let signals: SignalEvents
    private let wakes: AsyncStream<Wake>
    private let wake: AsyncStream<Wake>.Continuation

    private var runtime: RotationRuntime
    private var schedule: DaemonSchedule
    private var currentRun: Task<Void, Never>?
    private var timer: Task<Void, Never>?
    private var stopExtender: Task<Void, Never>?
    private var timerGeneration = 0
    private var isReady = false
    private var isStopping = false
    private var reloadPending = false
    /// SIGUSR1 arrived during a run: rotate when that run ends without having rotated (it was
    /// only the start-up recovery or a scheduled check); ignored when it did rotate.
    private var rotateNowPending = false

    init(configPath: String, configuration: KeyrotConfiguration, notifier: any ServiceNotifier, logger: Logger,
         signals: SignalEvents) throws {
        self.configPath = configPath
        self.notifier = notifier
        self.logger = logger
        self.signals = signals
        (wakes, wake) = AsyncStream.makeStream(of: Wake.self)
        schedule = DaemonSchedule(checkInterval: configuration.checkInterval.timeInterval)
        runtime = try Self.makeRuntime(configuration, notifier: notifier, logger: logger, wake: wake)
    }

    /// Runs until SIGTERM or SIGINT; returns after STOPPING=1 once no rotation step is in flight.
    func run() async {
        let watchdog = startWatchdog()
        let signalRelay = Task { [signals, wake] in
            for await signal in signals.events { wake.yield(.signal(signal)) }
        }
        defer {
            watchdog?.cancel()
            signalRelay.cancel()
            timer?.cancel()
            stopExtender?.cancel()
        }
        logger.notice("keyrotd started: rotating the key of \(runtime.configuration.user) across \(runtime.configuration.files.count) file(s)",
                      metadata: [MessageID.metadataKey: MessageID.daemonStarted.metadataValue, "user": "\(runtime.configuration.user)"])
        startRun(.resume)
        for await event in wakes {
            switch event {
            case .recovered:
                sendReady()
            case .runFinished(let outcome):
                currentRun = nil
                finished(outcome)
                if isStopping { return }
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
            case .timer(let generation) where generation == timerGeneration && currentRun == nil:
                startRun(.rotate(force: false))
            case .timer:
                break
            case .signal(.rotateNow):
                if currentRun != nil {
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
                guard let currentRun else { return }
                runtime.driver.requestStop()
                currentRun.cancel()
                extendStopTimeout()
            }
        }
    }

    // MARK: runs

    private func startRun(_ request: RotationRequest) {
        let driver = runtime.driver
        currentRun = Task { [wake] in
            let outcome = await driver.run(request)
            wake.yield(.runFinished(outcome))
        }
    }

    private func finished(_ outcome: RotationOutcome) {
        let now = Date()
        LastRunRecord(outcome: outcome, at: now).save(stateDirectory: runtime.configuration.stateDirectory)
        if case .idle = outcome {} else {
            logger.log(level: ExitStatus.of(outcome) == ExitStatus.success ? .info : .warning, "\(OutcomeReport.text(outcome))")
        }
        guard !isStopping else {
            sendReady()
            return
        }
        let next = schedule.nextWake(after: outcome, now: now)
        // STATUS= before READY=1: `systemctl start` returns on READY, and the status must then be current.
        setStatus(statusText(after: outcome, next: next))
        sendReady()
        arm(at: next)
    }

    private func arm(at date: Date) {
        timer?.cancel()
        timerGeneration += 1
        let generation = timerGeneration
        timer = Task { [wake] in
            let delay = date.timeIntervalSinceNow
            if delay > 0 {
                do { try await Task.sleep(for: .seconds(delay)) } catch { return }
            }
            wake.yield(.timer(generation: generation))
        }
    }

    // MARK: reload

    private func reload() {
        reloadPending = false
        notify(.reloadingNow())
        do {
            let configuration = try KeyrotConfiguration.load(path: configPath, environment: ProcessInfo.processInfo.environment)
            runtime.lock.release()
            do {
                runtime = try Self.makeRuntime(configuration, notifier: notifier, logger: logger, wake: wake)
            } catch {
                runtime = try Self.makeRuntime(runtime.configuration, notifier: notifier, logger: logger, wake: wake)
                throw error
            }
            schedule = DaemonSchedule(checkInterval: configuration.checkInterval.timeInterval)
            logger.notice("configuration reloaded from \(configPath)",
                          metadata: [MessageID.metadataKey: MessageID.configurationReloaded.metadataValue])
            arm(at: Date())
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
            try notifier.notify([state])
        } catch {
            logger.warning("sd_notify failed: \(error)")
        }
    }

    private func startWatchdog() -> Task<Void, Never>? {
        do {
            guard let watchdog = try Watchdog.fromEnvironment(notifier: notifier, logger: logger) else { return nil }
            return Task { await watchdog.run() }
        } catch {
            logger.warning("watchdog not started: \(error)")
            return nil
        }
    }

    /// While the run finishes its current step after SIGTERM, keeps systemd's stop timeout from
    /// firing: 30 s more every 10 s, until `run` returns (the task is cancelled on the way out).
    private func extendStopTimeout() {
        let notifier = notifier
        stopExtender = Task {
            while !Task.isCancelled {
                try? notifier.notify([.extendTimeout(microseconds: 30_000_000)])
                do { try await Task.sleep(for: .seconds(10)) } catch { return }
            }
        }
    }

    private func statusText(after outcome: RotationOutcome, next: Date) -> String {
        switch outcome {
        case .idle(let nextDue):
            return idleStatus(nextDue: nextDue)
        case .completed(_, let new):
            return "rotation completed: key \(new.abbreviated) in use; next check \(RotationEvent.stamp(next))"
        case .refused(let error), .failed(let error), .rolledBack(let error), .deferred(_, _, let error):
            return "error: \(error.message); retrying at \(RotationEvent.stamp(next))"
        case .interrupted(let phase, _):
            return "stopped in phase \(phase)"
        }
    }

    /// "key AKIA…ABCD is 12 days old; next rotation 2027-02-20 09:00 UTC".
    private func idleStatus(nextDue: Date?) -> String {
        let configuration = runtime.configuration
        guard let nextDue else { return "idle; next check in \(configuration.checkInterval)" }
        let createdAt = nextDue.addingTimeInterval(-configuration.maxAge.timeInterval)
        let days = max(0, Int(Date().timeIntervalSince(createdAt) / 86_400))
        let key = configuration.files.first.flatMap { try? CredentialFiles.read($0).pairs.first?.accessKeyID.abbreviated } ?? "in the files"
        return "key \(key) is \(days) day\(days == 1 ? "" : "s") old; next rotation \(RotationEvent.stamp(nextDue))"
    }

    private static func makeRuntime(_ configuration: KeyrotConfiguration, notifier: any ServiceNotifier, logger: Logger,
                                    wake: AsyncStream<Wake>.Continuation) throws -> RotationRuntime {
        try RotationRuntime(configuration: configuration, logger: logger,
                            status: { text in try? notifier.notify([.status(text)]) },
                            clock: { clock in
                                ReadinessClock(wrapped: clock, threshold: 30) { wake.yield(.recovered) }
                            })
    }
}
