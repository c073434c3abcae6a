import DurableFS
import Foundation
import Yams

/// Reads the `fleet:` section: names checked for what AWS accepts, durations checked against each
/// other, `host_id` defaulting to the machine id.
struct FleetSettingsReader {
    static let keys = ["secret_id", "lock_table", "host_id", "lease_duration", "poll_interval", "member_timeout", "ack_timeout", "member_grace"]

    let nodes: YAMLNodeReader
    /// Where the default `host_id` is read from (/etc/machine-id).
    let machineIDPath: String

    func read(_ node: Node) throws(ConfigurationError) -> FleetSettings {
        let fleet = try nodes.mapping(node, section: "`fleet`", allowed: Self.keys)
        let secretIDNode = try nodes.required("secret_id", in: fleet, hint: "the Secrets Manager secret the fleet shares (a name or ARN)")
        let secretID = try nodes.string(secretIDNode, key: "secret_id")
        // Secrets Manager names: letters, digits and /_+=.@-; an ARN adds `:`.
        guard (1...2048).contains(secretID.count), Self.only(secretID, "/_+=.@-:") else {
            throw nodes.error(.invalidValue, at: secretIDNode.mark, "`fleet.secret_id: \(secretID)` is not a secret name or ARN; "
                + "names have letters, digits and /_+=.@- only, such as keyrotd/snowplow-operator")
        }
        let tableNode = try nodes.required("lock_table", in: fleet, hint: "the DynamoDB table holding the lease (partition key pk, string)")
        let table = try nodes.string(tableNode, key: "lock_table")
        guard (3...255).contains(table.count), Self.only(table, "_.-") else {
            throw nodes.error(.invalidValue, at: tableNode.mark, "`fleet.lock_table: \(table)` is not a DynamoDB table name; "
                + "table names have 3 to 255 letters, digits and _.- such as keyrotd-fleet")
        }
        var settings = FleetSettings(secretID: secretID, lockTable: table, hostID: try hostID(fleet["host_id"]))
        if let node = fleet["lease_duration"] { settings.leaseDuration = try nodes.duration(node, key: "lease_duration", allowZero: false) }
        if let node = fleet["poll_interval"] { settings.pollInterval = try nodes.duration(node, key: "poll_interval", allowZero: false) }
        if let node = fleet["member_timeout"] { settings.memberTimeout = try nodes.duration(node, key: "member_timeout", allowZero: false) }
        if let node = fleet["ack_timeout"] { settings.ackTimeout = try nodes.duration(node, key: "ack_timeout", allowZero: false) }
        if let node = fleet["member_grace"] { settings.memberGrace = try nodes.duration(node, key: "member_grace", allowZero: false) }

        guard settings.memberTimeout > settings.pollInterval else {
            throw nodes.error(.invalidValue, at: (fleet["member_timeout"] ?? node).mark, "`fleet.member_timeout` "
                + "(\(settings.memberTimeout)) must be longer than `fleet.poll_interval` (\(settings.pollInterval)): members heartbeat "
                + "once a poll, so a shorter timeout counts live members as down; give it several poll intervals")
        }
        guard settings.memberGrace > settings.memberTimeout, settings.memberGrace > settings.leaseDuration else {
            throw nodes.error(.invalidValue, at: (fleet["member_grace"] ?? node).mark, "`fleet.member_grace` (\(settings.memberGrace)) "
                + "must be longer than `fleet.member_timeout` and `fleet.lease_duration`: it is how long a silent host keeps the old key alive")
        }
        return settings
    }

    /// `host_id` as given, or the machine id; letters, digits and `._-`, 1 to 64 (it goes in item keys and journal fields).
    private func hostID(_ node: Node?) throws(ConfigurationError) -> String {
        let problem = "letters, digits and ._- only, 1 to 64 of them, such as collector-2"
        if let node {
            let id = try nodes.string(node, key: "host_id")
            guard (1...64).contains(id.count), Self.only(id, "._-") else {
                throw nodes.error(.invalidValue, at: node.mark, "`fleet.host_id: \(id)` is not a host id; use \(problem)")
            }
            return id
        }
        let id: String
        do {
            id = String(decoding: try DurableFS.read(machineIDPath, policy: .readOnly), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw ConfigurationError(.missingKey, configPath: nodes.configPath, message: "`fleet.host_id` is not set and "
                + "\(machineIDPath) cannot be read (\(error.message)); set `fleet.host_id` to this host's name in the fleet")
        }
        guard (1...64).contains(id.count), Self.only(id, "._-") else {
            throw ConfigurationError(.missingKey, configPath: nodes.configPath, message: "`fleet.host_id` is not set and "
                + "\(machineIDPath) does not hold a machine id; set `fleet.host_id` to this host's name in the fleet (\(problem))")
        }
        return id
    }

    private static func only(_ text: String, _ punctuation: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || punctuation.unicodeScalars.contains($0)) }
    }
}
