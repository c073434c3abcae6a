import FleetCoordination
import Foundation
import KeyrotConfig
import KeyrotCore
import Logging
import RotationEngine
import SystemdIntegration

/// Builds fleet mode's ports and runner from a configuration with a `fleet:` block: the
/// coordination over the Secrets Manager, DynamoDB and IAM clients, the configured files through
/// the crash-safe local switch, and the journal.
enum FleetDaemonRuntime {
    static func policy(for configuration: KeyrotConfiguration, _ settings: FleetSettings) -> FleetPolicy {
        FleetPolicy(host: HostID(settings.hostID), leaseDuration: settings.leaseDuration.timeInterval,
                    pollInterval: settings.pollInterval.timeInterval, memberTimeout: settings.memberTimeout.timeInterval,
                    ackTimeout: settings.ackTimeout.timeInterval, memberGrace: settings.memberGrace.timeInterval,
                    propagationTimeout: configuration.propagationTimeout.timeInterval,
                    overlap: configuration.overlap.timeInterval, grace: configuration.grace.timeInterval)
    }

    static func ports(for configuration: KeyrotConfiguration, fleet: FleetRuntime, logger: Logger, clock: any KeyrotClock,
                      status: @escaping @Sendable (String) -> Void, hooks: [any PortCallHook] = [],
                      metrics: MetricsRecorder? = nil) throws -> FleetPorts {
        let client = try RotationRuntime.client(for: configuration, logger: logger)
        let keys = FleetKeyServiceAdapter(client: client, user: configuration.user)
        let secrets = SecretsSeen()
        let hook = PortCallHooks(hooks: hooks + [secrets, OffPoolFileWork()])
        let stateDirectory = configuration.stateDirectory
        let verifier: any RotationVerifier = configuration.verifyCommand.map {
            VerifyCommandRunner(command: $0, timeout: configuration.verifyTimeout, logger: logger, secrets: { secrets.all }, clock: clock,
                                confinement: VerifyConfinement.hiding(stateDirectory: stateDirectory, logger: logger))
        } ?? NoVerifyCommand()
        let consumers = configuration.restartUnits.isEmpty ? nil : FleetLocalSwitch.Consumers(
            units: configuration.restartUnits,
            restarter: HookedConsumerRestarter(
                wrapped: SystemdConsumerRestarter(timeout: configuration.restartTimeout, logger: logger, restarter: SystemdUnitRestarter(clock: clock)),
                hook: hook))
        let files = FleetLocalSwitch(
            paths: configuration.files.map(\.path),
            store: HookedFileStore(wrapped: ConfiguredFileStore(files: configuration.files, stateDirectory: stateDirectory, logger: logger), hook: hook),
            verifier: verifier, consumers: consumers, stateDirectory: stateDirectory, checkWorks: { try await keys.checkWorks($0) })
        return FleetPorts(secret: FleetSecretStoreAdapter(client: fleet.secrets, secretID: fleet.settings.secretID),
                          table: FleetTableAdapter(client: fleet.dynamo, table: fleet.settings.lockTable, leaseDuration: fleet.settings.leaseDuration),
                          keys: keys, files: files, clock: clock,
                          events: FleetJournalEvents(user: configuration.user, logger: logger, status: status, metrics: metrics))
    }

    static func runner(for configuration: KeyrotConfiguration, configPath: String, logger: Logger, clock: any KeyrotClock,
                       status: @escaping @Sendable (String) -> Void, hooks: [any PortCallHook]) throws -> FleetRotationRunner {
        let fleet = try FleetRuntime(configuration, configPath: configPath, logger: logger)
        let metrics = configuration.metricsFile.map {
            MetricsRecorder(path: $0, stateDirectory: configuration.stateDirectory, user: configuration.user, version: keyrotdVersion,
                            maxAge: configuration.maxAge.timeInterval, clock: clock, logger: logger, fleet: true)
        }
        return FleetRotationRunner(policy: policy(for: configuration, fleet.settings),
                                   ports: try ports(for: configuration, fleet: fleet, logger: logger, clock: clock, status: status, hooks: hooks,
                                                    metrics: metrics),
                                   maxAge: configuration.maxAge.timeInterval, logger: logger, metrics: metrics)
    }
}
