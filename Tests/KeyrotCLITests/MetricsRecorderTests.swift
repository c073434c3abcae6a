import FleetCoordination
import Foundation
@testable import KeyrotCLI
import KeyrotCore
import KeyrotTestSupport
import RotationEngine
import Testing

/// `metrics_file`: what node_exporter's textfile collector reads after checks, phase changes and
/// run outcomes, and what survives a restart.
@Suite("The metrics textfile")
struct MetricsRecorderTests {
    let folder: String
    let clock = TestClock(start: Date(timeIntervalSince1970: 1_800_000_000))

    init() throws {
        folder = NSTemporaryDirectory() + "keyrotd-metrics-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    var path: String { folder + "/keyrotd.prom" }

    func recorder(log: LogRecorder = LogRecorder(), path: String? = nil) -> MetricsRecorder {
        MetricsRecorder(path: path ?? self.path, stateDirectory: folder, user: "snowplow-operator", version: "9.9.9",
                        maxAge: 90 * 86_400, clock: clock, logger: log.logger())
    }

    /// The samples of the file: `name{labels} value` lines, comments dropped.
    func samples() throws -> [String: String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var samples: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: " ")
            // Two fields: no timestamp, which would make node_exporter skip the whole file.
            #expect(fields.count == 2, "\(line)")
            samples[String(fields[0])] = String(fields[1])
        }
        return samples
    }

    func record(_ phase: RotationPhase, createdAt: Date? = nil) -> RotationRecord {
        var record = RotationRecord(user: "snowplow-operator")
        record.phase = phase
        record.createdAt = createdAt
        return record
    }

    @Test func aCheckPublishesTheKeyCreationTimeAndEveryFamily() throws {
        let metrics = recorder()
        let nextDue = clock.now.addingTimeInterval(30 * 86_400)
        metrics.finished(.idle(nextDue: nextDue))
        let samples = try samples()
        #expect(samples[#"keyrotd_access_key_created_timestamp_seconds{user="snowplow-operator"}"#].map { Double($0) }
                == nextDue.addingTimeInterval(-90 * 86_400).timeIntervalSince1970)
        for result in ["completed", "rolled_back", "failed"] {
            #expect(samples["keyrotd_rotations_total{result=\"\(result)\"}"] == "0")
        }
        #expect(samples[#"keyrotd_phase{phase="idle"}"#] == "1.0")
        #expect(samples[#"keyrotd_phase{phase="writing"}"#] == "0.0")
        #expect(samples[#"keyrotd_build_info{version="9.9.9"}"#] == "1.0")
        #expect(samples["keyrotd_last_success_timestamp_seconds"] == nil || samples["keyrotd_last_success_timestamp_seconds"] == "0.0")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("# TYPE keyrotd_rotations_total counter"))
        #expect(text.contains("# TYPE keyrotd_phase gauge"))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o644, "readable by node_exporter, which runs as another user")
    }

    @Test func aRotationMovesThePhaseAndCountsItsResult() throws {
        let metrics = recorder()
        let started = clock.now
        metrics.saved(record(.creating))
        #expect(try samples()[#"keyrotd_phase{phase="creating"}"#] == "1.0")
        #expect(try samples()[#"keyrotd_phase{phase="idle"}"#] == "0.0")
        #expect(try samples()["keyrotd_last_attempt_timestamp_seconds"].map { Double($0) } == started.timeIntervalSince1970)
        clock.advance(by: 60)
        let created = clock.now
        metrics.saved(record(.overlapping, createdAt: created))
        #expect(try samples()[#"keyrotd_access_key_created_timestamp_seconds{user="snowplow-operator"}"#].map { Double($0) }
                == created.timeIntervalSince1970)
        clock.advance(by: 3_600)
        metrics.saved(record(.idle))
        metrics.finished(.completed(oldKeyID: AccessKeyID("AKIAOLDOLDOLDOLDOLD1"), newKeyID: AccessKeyID("AKIANEWNEWNEWNEWNEW1")))
        let samples = try samples()
        #expect(samples[#"keyrotd_rotations_total{result="completed"}"#] == "1")
        #expect(samples["keyrotd_last_success_timestamp_seconds"].map { Double($0) } == clock.now.timeIntervalSince1970)
        #expect(samples[#"keyrotd_phase{phase="idle"}"#] == "1.0")
    }

    @Test func failuresAndRollbacksAreCountedAndSurviveARestart() throws {
        let metrics = recorder()
        let error = RotationError(.iamFailed, "denied")
        metrics.finished(.refused(error))
        metrics.finished(.failed(error))
        metrics.finished(.rolledBack(error))
        metrics.finished(.deferred(phase: .overlapping, retryAt: clock.now, error))
        let restarted = recorder()
        restarted.finished(.rolledBack(error))
        let samples = try samples()
        #expect(samples[#"keyrotd_rotations_total{result="failed"}"#] == "2")
        #expect(samples[#"keyrotd_rotations_total{result="rolled_back"}"#] == "2")
        #expect(samples[#"keyrotd_rotations_total{result="completed"}"#] == "0")
    }

    /// A folder keyrotd may not write: one warning naming the file and the fix, not one per run,
    /// and the rotation's own work goes on (the recorder never throws).
    @Test func anUnwritableFileIsReportedOnce() throws {
        let log = LogRecorder()
        let metrics = recorder(log: log, path: folder + "/missing/keyrotd.prom")
        metrics.finished(.failed(RotationError(.iamFailed, "x")))
        metrics.finished(.failed(RotationError(.iamFailed, "x")))
        let warnings = log.messages.filter { $0.contains("cannot write the metrics file") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("ReadWritePaths=") == true)
    }

    @Test("fleet mode: a dropped member is counted in keyrotd_fleet_members_dropped_total, which survives a restart; without a fleet there is no such metric")
    func fleetMemberDropped() throws {
        let single = RotationMetrics(user: "snowplow-operator", version: "9.9.9", history: MetricsHistory())
        #expect(!String(decoding: single.render(), as: UTF8.self).contains("keyrotd_fleet_members_dropped_total"))
        let fleet = MetricsRecorder(path: path, stateDirectory: folder, user: "snowplow-operator", version: "9.9.9",
                                    maxAge: 90 * 86_400, clock: clock, logger: LogRecorder().logger(), fleet: true)
        let events = FleetJournalEvents(user: "snowplow-operator", logger: LogRecorder().logger(), status: { _ in }, metrics: fleet)
        events.record(.memberDropped("collector-3"))
        events.record(.hostMissing("collector-2"))
        #expect(try samples()["keyrotd_fleet_members_dropped_total"] == "1")
        let restarted = MetricsRecorder(path: path, stateDirectory: folder, user: "snowplow-operator", version: "9.9.9",
                                        maxAge: 90 * 86_400, clock: clock, logger: LogRecorder().logger(), fleet: true)
        restarted.memberDropped()
        #expect(try samples()["keyrotd_fleet_members_dropped_total"] == "2")
    }
}
