import ArgumentParser
import FleetAWS
import FleetCoordination
import Foundation
import KeyrotConfig
import KeyrotCore

/// `keyrotd fleet join`: (re-)registers this host as a member of the fleet, holding the pair its
/// files hold; the first join also writes the fleet's rotation record (idle, based on the secret's
/// AWSCURRENT version).
struct FleetJoinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Register this host (fleet.host_id) as a member of the fleet, with the key its files hold.",
        discussion: """
            Run it once on each host after `keyrotd fleet init`, before starting the daemon, and again on a \
            host that was dropped (silent past member_grace) once its files hold the current pair \
            (AWSCURRENT of the fleet's secret). Signs with the files' key. Refused, changing nothing, when the \
            files hold a key the fleet does not know.
            """
    )

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let (configuration, fleet) = try FleetCommand.runtime(options)
        do {
            let credentials = try ConfiguredKey.read(configuration)
            print(try await FleetJoiner(fleet: fleet, credentials: credentials, clock: SystemClock()).run())
        } catch {
            throw FleetCommand.fail(error)
        }
    }
}

/// What `fleet join` does, apart from the command line.
struct FleetJoiner {
    let fleet: FleetRuntime
    let credentials: Credentials
    let clock: any KeyrotClock

    func run() async throws -> String {
        let host = HostID(fleet.settings.hostID)
        let secrets = FleetSecretStoreAdapter(client: fleet.secrets, secretID: fleet.settings.secretID)
        let table = FleetTableAdapter(client: fleet.dynamo, table: fleet.settings.lockTable, leaseDuration: fleet.settings.leaseDuration)
        let current = try await secrets.readCurrent(signedWith: credentials)
        try await table.createItems(base: current.id, baseKeyID: current.credentials.accessKeyID, signedWith: credentials)
        let record = try await table.readLease(signedWith: credentials).record
        guard let holds = record.version(ofKey: credentials.accessKeyID) else {
            throw CLIError("the files hold \(credentials.accessKeyID), which the fleet does not know (its current key is \(record.baseKeyID), "
                + "AWSCURRENT of \(fleet.settings.secretID) is \(current.credentials.accessKeyID)); put the current pair in the files, then run `keyrotd fleet join` again")
        }
        let previous = try await table.readMembers(signedWith: credentials).first { $0.host == host }
        try await table.putMember(MemberItem(host: host, heartbeat: (previous?.heartbeat ?? 0) + 1, lastHeartbeatAt: clock.now,
                                             state: MemberState(holds: holds), dropped: false), signedWith: credentials)
        let again = previous == nil ? "joined" : (previous!.dropped ? "rejoined (it had been dropped)" : "re-registered in")
        return "host \(host) \(again) the fleet, its files holding \(credentials.accessKeyID) (version \(holds))"
    }
}
