import CredentialFiles
import DurableFS
import FoundationEssentials
import Glibc
import IAMClient
import KeyrotConfig
import KeyrotCore
import Logging
import RotationEngine
import SystemdIntegration

/// Everything one keyrotd process rotates with, built from the configuration: the IAM client and
/// the engine's driver over the real ports. The caller holds the state directory's lock
/// (``lockStateDirectory(_:)``) for as long as it uses the runtime.
struct RotationRuntime: Sendable {
    let configuration: KeyrotConfiguration
    let client: IAMClient
    let driver: RotationDriver
    /// `metrics_file`, when configured: told of every saved phase and every run's outcome.
    let metrics: MetricsRecorder?

    /// - Parameters:
    ///   - status: receives the one-line status of each step (STATUS= or stdout).
    ///   - clock: the engine's clock (the daemon's tells it when the first long wait starts).
    ///   - hooks: around every port call, outermost first (the step monitor); crash points and
    ///     off-pool file work are always added inside them.
    ///   - foreground: a one-shot command (`keyrotd rotate`): a step that still fails after the
    ///     IAM client's own retries ends the run (exit 75, the step kept in the record for the next
    ///     run) instead of waiting 30 s, 1 min, 2 min... in the foreground as the daemon does.
    ///   - waitsForRetirement: false for `keyrotd rotate` without `--wait`: the run ends after the
    ///     switch when the overlap or the grace has time left, and the next run retires the old key.
    init(configuration: KeyrotConfiguration, logger: Logger, status: @escaping @Sendable (String) -> Void,
         clock: any KeyrotClock, hooks: [any PortCallHook] = [], foreground: Bool = false,
         waitsForRetirement: Bool = true) throws {
        let stateDirectory = configuration.stateDirectory
        self.configuration = configuration
        client = try Self.client(for: configuration, logger: logger)

        // Crash points innermost but for the off-pool hop: a point that hangs (the campaign's
        // KEYROTD_DEBUG_HANG_AT) then hangs where a stuck file-system call would.
        let secrets = SecretsSeen()
        let hook = PortCallHooks(hooks: hooks + [secrets, OffPoolFileWork()] + (CrashPoints.isEnabled ? [CrashPointHook()] : []))
        metrics = configuration.metricsFile.map {
            MetricsRecorder(path: $0, stateDirectory: stateDirectory, user: configuration.user, version: keyrotdVersion,
                            maxAge: configuration.maxAge.timeInterval, clock: clock, logger: logger)
        }
        var store: any RotationStateStore = StateFileStore(stateDirectory: stateDirectory)
        if let metrics {
            store = MetricsStateStore(wrapped: store, recorder: metrics)
        }
        let verifier: any RotationVerifier = configuration.verifyCommand.map {
            VerifyCommandRunner(command: $0, timeout: configuration.verifyTimeout, logger: logger,
                                secrets: { secrets.all }, clock: clock,
                                confinement: VerifyConfinement.hiding(stateDirectory: stateDirectory, logger: logger))
        } ?? NoVerifyCommand()
        driver = RotationDriver(
            policy: Self.policy(for: configuration, foreground: foreground, waitsForRetirement: waitsForRetirement),
            clock: clock,
            keys: HookedKeyService(wrapped: IAMKeyService(client: client), hook: hook),
            files: HookedFileStore(wrapped: ConfiguredFileStore(files: configuration.files, stateDirectory: stateDirectory, logger: logger), hook: hook),
            store: HookedStateStore(wrapped: store, hook: hook),
            verifier: HookedVerifier(wrapped: verifier, hook: hook),
            restarter: HookedConsumerRestarter(
                wrapped: SystemdConsumerRestarter(timeout: configuration.restartTimeout, logger: logger, restarter: SystemdUnitRestarter(clock: clock)),
                hook: hook),
            events: JournalEventSink(user: configuration.user, logger: logger, status: status),
            logger: logger)
    }

    /// One run of the engine, its outcome also counted in the metrics.
    func run(_ request: RotationRequest) async -> RotationOutcome {
        let outcome = await driver.run(request)
        metrics?.finished(outcome)
        return outcome
    }

    func requestStop() {
        driver.requestStop()
    }

    /// Prepares the state directory (``prepareStateDirectory(_:)``) and takes its lock, without
    /// waiting: throws ``DurableFSError/Code/lockHeld`` (naming the holder) when another process has it.
    static func lockStateDirectory(_ configuration: KeyrotConfiguration) throws -> StateDirectoryLock {
        try prepareStateDirectory(configuration.stateDirectory)
        return try StateDirectoryLock.acquire(directory: configuration.stateDirectory)
    }

    static func client(for configuration: KeyrotConfiguration, logger: Logger) throws -> IAMClient {
        let endpoints = try IAMEndpoints.configured(
            partition: configuration.aws.partition, region: configuration.aws.region,
            iamURL: configuration.aws.iamEndpoint, stsURL: configuration.aws.stsEndpoint)
        return IAMClient(endpoints: endpoints, logger: logger)
    }

    static func policy(for configuration: KeyrotConfiguration, foreground: Bool = false,
                       waitsForRetirement: Bool = true) -> RotationPolicy {
        var policy = RotationPolicy(
            user: configuration.user,
            files: configuration.files.map(\.path),
            maxAge: configuration.maxAge.timeInterval,
            overlap: configuration.overlap.timeInterval,
            grace: configuration.grace.timeInterval,
            propagationTimeout: configuration.propagationTimeout.timeInterval,
            requiredConsecutiveChecks: configuration.propagationChecks,
            deleteUnknownActiveKeys: configuration.deleteUnknownActiveKeys,
            hasVerifyCommand: configuration.verifyCommand != nil)
        policy.restartUnits = configuration.restartUnits
        if foreground {
            policy.retriesPerRun = 1
        }
        policy.waitsForRetirement = waitsForRetirement
        return policy
    }

    /// The state directory holds secrets while a rotation runs: it is created 0700, and an
    /// existing one that others can read is refused rather than silently used.
    static func prepareStateDirectory(_ path: String) throws {
        var info = stat()
        if stat(path, &info) != 0 {
            guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
                throw CLIError("cannot create the state directory \(path) (\(String(cString: strerror(errno)))); create it (mode 0700) or set state_dir")
            }
            return
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw CLIError("the state directory \(path) is not a directory; fix state_dir")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw CLIError("the state directory \(path) is readable by others (mode \(String(info.st_mode & 0o777, radix: 8))); it holds secrets during a rotation: chmod 0700 \(path)")
        }
    }
}

/// No `verify_command` configured: the files' read-back and the key checks are the verification.
struct NoVerifyCommand: RotationVerifier {
    func verify() async throws {}
}

extension Duration {
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
