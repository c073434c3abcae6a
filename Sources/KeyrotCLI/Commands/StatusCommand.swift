import ArgumentParser
import Foundation
import KeyrotConfig
import KeyrotCore
import RotationEngine

/// `keyrotd status`: the persisted state, without calling AWS.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the persisted rotation state (phase, key ids, dates, next rotation) without calling AWS."
    )

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
        let configuration = try options.loadConfiguration()
        let record: RotationRecord?
        do {
            record = try await StateFileStore(stateDirectory: configuration.stateDirectory).load()
        } catch {
            FileHandle.standardError.write(Data("keyrotd: cannot read the state in \(configuration.stateDirectory): \(error)\n".utf8))
            throw ExitCode(ExitStatus.failure)
        }
        var report = StatusReport(record: record, lastRun: LastRunRecord.load(stateDirectory: configuration.stateDirectory),
                                  policy: RotationRuntime.policy(for: configuration), now: SystemClock().now)
        if let fleet = configuration.fleet {
            let localSwitch: FleetSwitchRecord?
            do {
                localSwitch = try FleetSwitchRecord.load(from: configuration.stateDirectory)
            } catch {
                FileHandle.standardError.write(Data("keyrotd: \(error)\n".utf8))
                throw ExitCode(ExitStatus.failure)
            }
            report.fleet = StatusReport.Fleet(hostID: fleet.hostID, secretID: fleet.secretID, localSwitch: localSwitch)
        }
        print(json ? report.json() : report.text())
    }
}

/// The state as `keyrotd status` shows it. Built from the record without its secrets.
struct StatusReport: Encodable {
    var user: String
    var phase: String
    var currentKeyID: String?
    var oldKeyID: String?
    var newKeyID: String?
    var intentAt: Date?
    var newKeyCreatedAt: Date?
    var switchedAt: Date?
    var overlapEndsAt: Date?
    var deactivatedAt: Date?
    var graceEndsAt: Date?
    var nextAttemptAt: Date?
    /// `restart_units` this rotation restarted so far (a rollback restarts them on the old key).
    var restartedUnits: [String]?
    var lastError: String?
    var lastCompletedAt: Date?
    var lastRun: LastRunRecord?
    var nextRotation: Date?
    /// The key in use, as the last idle run found it, or as the rotation that made it recorded it
    /// (status calls no AWS API).
    var keyCreatedAt: Date?
    var keyAgeDays: Int?
    /// With a `fleet:` section: this host, and its own switch in progress (the fleet's rotation
    /// record is in the lock table: `keyrotd fleet status`).
    var fleet: Fleet?

    struct Fleet: Encodable {
        var hostID: String
        var secretID: String
        /// This host's own switch (`fleet-switch.json`), without its backups; nil when none is in progress.
        var localSwitch: Switch?

        struct Switch: Encodable {
            var stage: String
            var from: String
            var to: String
        }

        init(hostID: String, secretID: String, localSwitch: FleetSwitchRecord?) {
            self.hostID = hostID
            self.secretID = secretID
            self.localSwitch = localSwitch.map { Switch(stage: $0.stage.rawValue, from: $0.from.rawValue, to: $0.to.rawValue) }
        }
    }

    init(record: RotationRecord?, lastRun: LastRunRecord?, policy: RotationPolicy, now: Date) {
        user = policy.user
        phase = record?.phase.rawValue ?? RotationPhase.idle.rawValue
        currentKeyID = record?.currentKeyID?.rawValue
        oldKeyID = record?.oldKeyID?.rawValue
        newKeyID = record?.newKeyID?.rawValue
        intentAt = record?.intentAt
        newKeyCreatedAt = record?.createdAt
        switchedAt = record?.switchedAt
        overlapEndsAt = record?.overlapEndsAt(overlap: policy.overlap)
        deactivatedAt = record?.deactivatedAt
        graceEndsAt = record?.graceEndsAt(grace: policy.grace)
        nextAttemptAt = record?.nextAttemptAt
        restartedUnits = record?.restartedUnits
        lastError = record?.lastError.map { "\($0.code): \($0.message)" }
        lastCompletedAt = record?.lastCompletedAt
        self.lastRun = lastRun
        // Idle, the key's age comes from the last run when that run looked at IAM (an idle run),
        // else from the record (right after a rotation, or when the last run failed to reach AWS).
        if phase == RotationPhase.idle.rawValue {
            let lastRunLooked = lastRun?.result == "idle"
            keyCreatedAt = lastRunLooked ? lastRun?.keyCreatedAt : record?.currentKeyCreatedAt
            nextRotation = lastRunLooked ? lastRun?.nextDue : keyCreatedAt.map(policy.nextDueDate(keyCreatedAt:))
        }
        keyAgeDays = keyCreatedAt.map { KeyAge.days(createdAt: $0, now: now) }
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
    }

    func text() -> String {
        var lines = ["user: \(user)", "phase: \(phase)"]
        func add(_ label: String, _ value: String?) { if let value { lines.append("\(label): \(value)") } }
        func add(_ label: String, _ date: Date?) { add(label, date.map(MinuteStamp.text)) }
        add("current key", currentKeyID)
        if let keyCreatedAt, let keyAgeDays {
            add("key age", "\(KeyAge.text(days: keyAgeDays)) (created \(MinuteStamp.text(keyCreatedAt)))")
        }
        add("old key", oldKeyID)
        add("new key", newKeyID)
        add("rotation started", intentAt)
        add("new key created", newKeyCreatedAt)
        add("files switched", switchedAt)
        add("old key stays active until", overlapEndsAt)
        add("old key deactivated", deactivatedAt)
        add("old key deleted after", graceEndsAt)
        add("units restarted", restartedUnits.map { $0.joined(separator: ", ") })
        add("next attempt", nextAttemptAt)
        add("last error", lastError)
        add("last rotation completed", lastCompletedAt)
        add("last run", lastRun.map { "\(MinuteStamp.text($0.finishedAt)): \($0.message)" })
        add("next rotation", nextRotation)
        if let fleet {
            lines.append("fleet: host \(fleet.hostID) of secret \(fleet.secretID); the fleet's rotation: `keyrotd fleet status`")
            if let move = fleet.localSwitch {
                lines.append("fleet switch of this host's files: \(move.stage), \(move.from) -> \(move.to)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
