import ArgumentParser
import FleetAWS
import Foundation
import KeyrotConfig
import FleetCoordination
import KeyrotCore

/// `keyrotd fleet status`: the secret's stages, the lease and the members, read from AWS with the files' key.
struct FleetStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the fleet's secret stages, lease holder, record and members (read from AWS, never a secret value)."
    )

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
        let (configuration, fleet) = try FleetCommand.runtime(options)
        let report: FleetStatusReport
        do {
            report = try await FleetStatusReport.read(fleet, credentials: try ConfiguredKey.read(configuration))
        } catch {
            throw FleetCommand.fail(error)
        }
        print(json ? report.json() : report.text())
    }
}

/// The fleet as `keyrotd fleet status` shows it: stages and lease, no secret value (none is read).
struct FleetStatusReport: Encodable {
    struct Secret: Encodable {
        var id: String
        var arn: String
        /// VersionId → stages, versions without a stage left out.
        var versions: [String: [String]]
    }

    struct Lease: Encodable {
        /// The holder's host id; nil when free.
        var holder: String?
        var leaseDurationSeconds: Double?
        /// The rotation record kept in the lease item (phase, rotation, base...), as plain values.
        var record: [String: String]

        enum CodingKeys: String, CodingKey {
            case holder, leaseDurationSeconds = "lease_duration_seconds", record
        }
    }

    var host: String
    var secret: Secret
    /// nil when no host has ever taken the lease.
    var lease: Lease?
    /// Every host that joined: its heartbeat, what its files hold (its acknowledgement), whether dropped.
    var members: [Member] = []

    struct Member: Encodable {
        var host: String
        var heartbeat: Int
        var lastHeartbeat: String
        var holds: String
        var applying: String?
        var failed: String?
        var dropped: Bool

        enum CodingKeys: String, CodingKey {
            case host, heartbeat, lastHeartbeat = "last_heartbeat", holds, applying, failed, dropped
        }

        init(_ item: MemberItem) {
            host = item.host.rawValue
            heartbeat = item.heartbeat
            lastHeartbeat = item.lastHeartbeatAt.formatted(.iso8601)
            holds = item.state.holds.rawValue
            applying = item.state.applying?.rawValue
            failed = item.state.failed?.rawValue
            dropped = item.dropped
        }

        var line: String {
            "member \(host): holds \(holds), heartbeat \(heartbeat) at \(lastHeartbeat)"
                + (applying.map { ", applying \($0)" } ?? "") + (failed.map { ", failed \($0)" } ?? "") + (dropped ? ", DROPPED" : "")
        }
    }

    /// Reads the secret's stages, the lease item and the membership item (three calls, no write).
    static func read(_ fleet: FleetRuntime, credentials: Credentials) async throws -> FleetStatusReport {
        let secret = try await fleet.secrets.describeSecret(fleet.settings.secretID, credentials: credentials)
        let lease = try await fleet.dynamo.getItem(fleet.settings.lockTable, key: fleet.leaseStoreKey, credentials: credentials)
            .map(FleetAWS.LeaseItem.init(item:))
        let members = FleetTableItems.members(from: try await fleet.dynamo.getItem(fleet.settings.lockTable, key: FleetTableItems.membersKey,
                                                                                   credentials: credentials))
        return FleetStatusReport(host: fleet.settings.hostID, secret: secret, lease: lease, members: members)
    }

    init(host: String, secret: SecretDescription, lease: FleetAWS.LeaseItem?, members: [MemberItem] = []) {
        self.members = members.map(Member.init)
        self.host = host
        self.secret = Secret(id: secret.name, arn: secret.arn, versions: secret.versionStages.filter { !$0.value.isEmpty })
        self.lease = lease.map { item in
            Lease(holder: item.owner, leaseDurationSeconds: item.leaseDuration.map { Double($0.components.seconds) },
                  record: item.record.compactMapValues(Self.plain))
        }
    }

    private static func plain(_ value: AttributeValue) -> String? {
        switch value {
        case .string(let text), .number(let text): text
        case .bool(let flag): String(flag)
        default: nil
        }
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    func text() -> String {
        var lines = ["fleet secret \(secret.id) (\(secret.arn)), seen from host \(host)"]
        for (version, stages) in secret.versions.sorted(by: { $0.key < $1.key }) {
            lines.append("  version \(version): \(stages.sorted().joined(separator: ", "))")
        }
        switch lease {
        case nil: lines.append("lease: never taken")
        case let lease?:
            let duration = lease.leaseDurationSeconds.map { " (lease \(Int($0)) s)" } ?? ""
            lines.append(lease.holder.map { "lease: held by \($0)\(duration)" } ?? "lease: free")
            for (name, value) in lease.record.sorted(by: { $0.key < $1.key }) {
                lines.append("  \(name): \(value)")
            }
        }
        lines += members.isEmpty ? ["members: none joined (`keyrotd fleet join` on each host)"] : members.map(\.line)
        return lines.joined(separator: "\n")
    }
}
