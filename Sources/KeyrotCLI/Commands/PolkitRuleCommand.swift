import ArgumentParser
import Foundation
import KeyrotConfig

/// `keyrotd polkit-rule`: prints the polkit rule that lets keyrotd's user restart the configured units.
struct PolkitRuleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "polkit-rule",
        abstract: "Print the polkit rule that lets keyrotd restart the configured restart_units.",
        discussion: """
            keyrotd runs as its own unprivileged user; systemd asks polkit whether that user may \
            restart a unit. The rule allows the action org.freedesktop.systemd1.manage-units, verbs \
            restart and try-restart, for exactly the units of restart_units, to user keyrotd, and \
            nothing else. Install it as /etc/polkit-1/rules.d/60-keyrotd.rules (needs polkitd: \
            apt install polkitd), then run `keyrotd check` as user keyrotd.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp("The user keyrotd runs as.", valueName: "name"))
    var user: String = PolkitRule.defaultUser

    func run() async throws {
        let configuration = try options.loadConfiguration()
        guard !configuration.restartUnits.isEmpty else {
            FileHandle.standardError.write(Data("keyrotd: \(options.config) has no restart_units; there is nothing for a polkit rule to allow\n".utf8))
            throw ExitCode(ExitStatus.failure)
        }
        print(PolkitRule(user: user, units: configuration.restartUnits).javaScript, terminator: "")
    }
}
