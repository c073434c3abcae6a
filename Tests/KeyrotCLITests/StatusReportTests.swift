import Foundation
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
        let report = StatusReport(user: "snowplow-operator", record: record, lastRun: nil, overlap: 3_600, grace: 86_400, now: Date())
        #expect(report.text().contains("units restarted: snowplow-collector.service, snowplow-enrich.service"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        #expect(object["restarted_units"] as? [String] == ["snowplow-collector.service", "snowplow-enrich.service"])
    }
}
