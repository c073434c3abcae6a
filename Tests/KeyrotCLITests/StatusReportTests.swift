import Foundation
import KeyrotCore
import KeyrotTestSupport
@testable import KeyrotCLI
import RotationEngine
import Testing

/// `keyrotd status` from a record, without AWS.
@Suite struct StatusReportTests {
    @Test("the units a rotation in flight has restarted are shown (a rollback restarts them on the old key)")
    func restartedUnits() throws {
        var record = RotationRecord(user: "snowplow-operator")
        record.phase = .verifying
        record.restartedUnits = ["snowplow-collector.service", "snowplow-enrich.service"]
        let report = StatusReport(record: record, lastRun: nil, policy: .forTests(files: []), now: Date())
        #expect(report.text().contains("units restarted: snowplow-collector.service, snowplow-enrich.service"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        #expect(object["restarted_units"] as? [String] == ["snowplow-collector.service", "snowplow-enrich.service"])
    }

    @Test("right after a rotation (no idle run since) the key's age and next rotation come from the record")
    func keyAgeAfterARotation() throws {
        let created = Date(timeIntervalSince1970: 1_800_000_000)
        let now = created.addingTimeInterval(2 * 86_400 + 60)
        var record = RotationRecord(user: "snowplow-operator")
        record.currentKeyID = "AKIAIOSFODNN7EXAMPLE"
        record.currentKeyCreatedAt = created
        let lastRun = LastRunRecord(outcome: .completed(oldKeyID: "AKIAI44QH8DHBEXAMPLE",
                                                        newKeyID: "AKIAIOSFODNN7EXAMPLE"),
                                    at: now, maxAge: 90 * 86_400)
        let report = StatusReport(record: record, lastRun: lastRun, policy: .forTests(files: []), now: now)
        #expect(report.keyAgeDays == 2)
        #expect(report.nextRotation == created.addingTimeInterval(90 * 86_400))
        #expect(report.text().contains("key age: 2 days (created 2027-01-15 08:00 UTC)"))
        #expect(report.text().contains("next rotation: 2027-04-15 08:00 UTC"))
    }

    @Test("an idle run's view of IAM wins over the record's (the key may have changed outside keyrotd)")
    func idleRunWins() throws {
        let recorded = Date(timeIntervalSince1970: 1_800_000_000)
        var record = RotationRecord(user: "snowplow-operator")
        record.currentKeyCreatedAt = recorded
        let nextDue = recorded.addingTimeInterval(100 * 86_400)
        let lastRun = LastRunRecord(outcome: .idle(nextDue: nextDue), at: recorded.addingTimeInterval(20 * 86_400), maxAge: 90 * 86_400)
        let report = StatusReport(record: record, lastRun: lastRun, policy: .forTests(files: []), now: recorded.addingTimeInterval(20 * 86_400))
        #expect(report.keyCreatedAt == recorded.addingTimeInterval(10 * 86_400))
        #expect(report.nextRotation == nextDue)
    }

    @Test("with a fleet: section, status names this host and the secret, shows this host's switch in progress, and points at `fleet status`")
    func fleetHost() throws {
        var report = StatusReport(record: nil, lastRun: nil, policy: .forTests(files: []), now: Date())
        let localSwitch = FleetSwitchRecord(stage: .switched, from: "AKIAI44QH8DHBEXAMPLE", to: "AKIAIOSFODNN7EXAMPLE", backups: [:])
        report.fleet = StatusReport.Fleet(hostID: "collector-2", secretID: "keyrotd/snowplow-operator", localSwitch: localSwitch)
        #expect(report.text().contains("fleet: host collector-2 of secret keyrotd/snowplow-operator; the fleet's rotation: `keyrotd fleet status`"))
        #expect(report.text().contains("fleet switch of this host's files: switched, AKIAI44QH8DHBEXAMPLE -> AKIAIOSFODNN7EXAMPLE"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let fleet = try #require(object["fleet"] as? [String: Any])
        let switchObject = try #require(fleet["local_switch"] as? [String: Any])
        #expect(fleet["host_id"] as? String == "collector-2" && switchObject["stage"] as? String == "switched")
    }
}
