import FleetAWS
import KeyrotConfig
import KeyrotCore
import Logging

/// `keyrotd check` with a `fleet:` section: what the daemon needs of the fleet before it runs, read
/// with the files' key and changing nothing: the secret and its stages, the lock table, and this
/// host's membership. Each problem names the setting or the command that fixes it.
enum FleetCheck {
    static func problems(_ configuration: KeyrotConfiguration, configPath: String, credentials: Credentials,
                         print: (String) -> Void) async -> [String] {
        let fleet: FleetRuntime
        do {
            fleet = try FleetRuntime(configuration, configPath: configPath, logger: Logger(label: "keyrotd.fleet"))
        } catch {
            return ["\(error)"]
        }
        let settings = fleet.settings
        let report: FleetStatusReport
        do {
            report = try await FleetStatusReport.read(fleet, credentials: credentials)
        } catch let error as AWSServiceError where error.code == .resourceNotFound {
            return ["fleet: the secret \(settings.secretID) or the table \(settings.lockTable) does not exist (\(error)); "
                + "`keyrotd fleet init` on a host whose files hold the current pair creates both"]
        } catch {
            return ["fleet: reading the secret \(settings.secretID) and the table \(settings.lockTable) failed: \(error)"]
        }
        print("fleet: secret \(report.secret.id), \(report.secret.versions.count) staged version(s); "
            + (report.lease?.holder.map { "lease held by \($0)" } ?? "lease free") + "; \(report.members.count) member(s)")
        return problems(report, hostID: settings.hostID, print: print)
    }

    /// What would make this host's daemon refuse: not joined, dropped, or files on a version that
    /// is neither current nor pending.
    static func problems(_ report: FleetStatusReport, hostID: String, print: (String) -> Void) -> [String] {
        guard let member = report.members.first(where: { $0.host == hostID }) else {
            return ["fleet: this host (host_id \(hostID)) has not joined; run `keyrotd fleet join` while its files hold the current pair"]
        }
        if member.dropped {
            return ["fleet: this host (host_id \(hostID)) was dropped (silent longer than member_grace); put the current pair "
                + "in its files, then run `keyrotd fleet join`"]
        }
        let stages = report.secret.versions[member.holds] ?? []
        guard stages.contains(SecretStage.current) || stages.contains(SecretStage.pending) else {
            return ["fleet: this host's files hold version \(member.holds) of \(report.secret.id), which is neither "
                + "AWSCURRENT nor AWSPENDING; put the current pair in its files, then run `keyrotd fleet join`"]
        }
        print("fleet: this host (host_id \(hostID)) holds version \(member.holds) (\(stages.sorted().joined(separator: ", ")))")
        return []
    }
}
