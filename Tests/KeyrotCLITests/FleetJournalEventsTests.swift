import FleetCoordination
import Foundation
import KeyrotCore
import KeyrotTestSupport
import Synchronization
import SystemdIntegration
import Testing
@testable import KeyrotCLI

/// The fleet's events in the journal and STATUS: the MESSAGE_IDs of the catalog, the host in
/// KEYROTD_HOST, and the STATUS line naming the hosts the leader waits for.
@Suite struct FleetJournalEventsTests {
    static func record(_ event: FleetEvent) -> (entries: [String], status: [String]) {
        let log = LogRecorder()
        let status = Mutex<[String]>([])
        FleetJournalEvents(user: "snowplow-operator", logger: log.logger(), status: { text in status.withLock { $0.append(text) } })
            .record(event)
        return (log.entries, status.withLock { $0 })
    }

    @Test("waiting for hosts: STATUS says how many of how many, and which")
    func waitingStatus() {
        let (entries, status) = Self.record(.waitingForHosts(waiting: ["collector-2", "collector-3"], total: 3))
        #expect(status == ["fleet: waiting for 2 of 3 hosts (collector-2, collector-3)"])
        #expect(entries.count == 1 && entries[0].contains(#"host=["collector-2", "collector-3"]"#), "\(entries)")
    }

    @Test("each fleet event of the catalog has its MESSAGE_ID and the host concerned", arguments: [
        (FleetEvent.leaseTaken("collector-1", phase: .pending), MessageID.fleetLeaseTaken),
        (FleetEvent.leaseLost("collector-1"), MessageID.fleetLeaseLost),
        (FleetEvent.hostAcknowledged("collector-2", SecretVersionID("v-2")), MessageID.fleetHostAcknowledged),
        (FleetEvent.hostMissing("collector-3"), MessageID.fleetHostMissing),
        (FleetEvent.memberDropped("collector-3"), MessageID.fleetMemberDropped),
        (FleetEvent.refused("collector-3", reason: "dropped"), MessageID.fleetHostRefused),
    ])
    func messageIDs(event: FleetEvent, id: MessageID) {
        let (entries, _) = Self.record(event)
        #expect(entries.count == 1)
        #expect(entries[0].contains("message_id=\(id.id)"), "\(entries)")
        #expect(entries[0].contains("host=collector-"), "\(entries)")
    }

    @Test("a rollback has its MESSAGE_ID and the version, and sets STATUS")
    func rolledBack() {
        let (entries, status) = Self.record(.fleetRolledBack(SecretVersionID("v-9"), reason: "collector-3 failed to apply the new key"))
        #expect(entries[0].contains("message_id=\(MessageID.fleetRolledBack.id)") && entries[0].contains("version=v-9"), "\(entries)")
        #expect(status.first?.contains("rolled back (collector-3 failed to apply the new key)") == true, "\(status)")
    }
}
