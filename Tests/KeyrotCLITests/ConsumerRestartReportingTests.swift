import Foundation
@testable import KeyrotCLI
import KeyrotCore
import Logging
import RotationEngine
import SystemdIntegration
import Testing

/// What a unit restart looks like in STATUS and the journal, and how the D-Bus adapter's failures
/// reach the engine.
@Suite("Consumer restarts: status, journal, error codes")
struct ConsumerRestartReportingTests {
    @Test("each restart is a STATUS line `restarting UNIT (i of n)` and a journal entry with KEYROTD_UNIT")
    func statusAndFields() {
        let event = RotationEvent.restartingUnit("snowplow-collector.service", position: 1, count: 2, onOldKey: false)
        #expect(JournalEventSink.statusText(for: event) == "restarting snowplow-collector.service (1 of 2)")
        #expect(JournalEventSink.fields(of: event)["unit"] == .string("snowplow-collector.service"))
        let back = RotationEvent.restartingUnit("snowplow-collector.service", position: 2, count: 2, onOldKey: true)
        #expect(JournalEventSink.statusText(for: back) == "rolling back: restarting snowplow-collector.service on the old key (2 of 2)")
    }

    @Test("a failed restart has its MESSAGE_ID and names the unit; the old key in use after the restarts names them")
    func failureAndOldKeyFields() throws {
        let failed = RotationEvent.unitRestartFailed("enrich.service", "the restart job of enrich.service ended with result `failed`", onOldKey: false)
        #expect(JournalEventSink.messageID(for: failed) == .unitRestartFailed)
        #expect(JournalEventSink.fields(of: failed)["unit"] == .string("enrich.service"))
        #expect(failed.level == .error)
        let id: AccessKeyID = "AKIAIOSFODNN7EXAMPLE"
        let use = AccessKeyLastUse(date: Date(timeIntervalSince1970: 1_800_000_000), serviceName: "kinesis", region: "eu-west-1")
        let inUse = RotationEvent.oldKeyStillInUse(id, use, restartedUnits: ["a.service", "b.service"])
        #expect(JournalEventSink.messageID(for: inUse) == .oldKeyStillInUse)
        #expect(JournalEventSink.fields(of: inUse)["unit"] == .array([.string("a.service"), .string("b.service")]))
        #expect(inUse.level == .warning)
        #expect(inUse.message.contains("used after the switch and the restarts of a.service, b.service, 2027-01-15 08:00 UTC, by kinesis in eu-west-1"),
                "\(inUse.message)")
        let outside = RotationEvent.oldKeyStillInUse(id, use, restartedUnits: [])
        #expect(outside.message.contains("by kinesis in eu-west-1: something outside the configured files still holds it"))
    }

    @Test("the adapter's codes: nothing restarted, maybe queued, ran and failed",
          arguments: [
              (UnitRestartError.Code.accessDenied, RotationPortError.Code.accessDenied),
              (.noSuchUnit, .noSuchEntity), (.busUnavailable, .unreachable), (.callFailed, .unreachable),
              (.jobFailed, .failed), (.notActive, .failed), (.timedOut, .failed),
          ])
    func codes(adapter: UnitRestartError.Code, engine: RotationPortError.Code) {
        #expect(SystemdConsumerRestarter.code(for: adapter) == engine)
    }
}
