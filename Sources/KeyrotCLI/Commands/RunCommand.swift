import ArgumentParser
import FoundationEssentials
import KeyrotConfig
import Logging
import SystemdIntegration

/// `keyrotd run`: the daemon (systemd `Type=notify`).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: rotate the key whenever it is due (the systemd service's command).",
        discussion: """
            Recovers any interrupted rotation, reports READY=1, then sleeps until the key is due \
            (its creation plus max_age) or check_interval passes. SIGUSR1 rotates now, SIGHUP \
            reloads the configuration, SIGTERM and SIGINT stop at a safe point (a step still \
            running 20 s later is abandoned; the next start resumes it). While a foreground \
            `keyrotd rotate` holds the state directory, the daemon waits for it.
            """
    )

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        LoggingBootstrap.bootstrap()
        let logger = Logger(label: "keyrotd")
        let notifier = SystemdNotifier()
        // Handlers go in before READY=1: an early SIGUSR1 must not terminate the process.
        let signals = SignalEvents()
        let configuration: KeyrotConfiguration
        do {
            configuration = try KeyrotConfiguration.load(path: options.config, environment: ProcessInfo.processInfo.environment, syntax: .credentialFiles)
        } catch {
            logger.critical("\(error)", metadata: [MessageID.metadataKey: MessageID.configurationInvalid.metadataValue])
            try? notifier.notify([.status("error: invalid configuration: \(error)")])
            throw ExitCode(error.exitCode)
        }
        let context = DaemonContext.live(configPath: options.config, notifier: notifier, logger: logger, signals: signals)
        let status = await Daemon(configuration: configuration, context: context).run()
        signals.cancel()
        if status != ExitStatus.success { throw ExitCode(status) }
    }
}
