import Foundation
@testable import KeyrotCLI
import KeyrotCore
import KeyrotTestSupport
import Logging
import RotationEngine
import Testing

/// The words and priorities the journal gets for the engine's events (the engine emits them
/// structured; `JournalEventSink` words them).
@Suite("Rotation events in the journal's words")
struct RotationEventWordingTests {
    @Test("a whole rotation reads in plain words at its priorities, and no entry holds a secret")
    func wholeRotation() async throws {
        let world = FakeWorld(propagationDelay: 2)
        let old = world.originalKey.accessKeyID
        world.iam.recordUse(of: old, at: world.clock.now.addingTimeInterval(1_800), service: "s3", region: "eu-west-1")
        let log = LogRecorder()
        let sink = JournalEventSink(user: "snowplow-operator", logger: log.logger(), status: { _ in })
        _ = await world.driver().run(.rotate(force: true))
        for event in world.events.events { sink.record(event) }

        let entries = log.levelled
        #expect(entries.contains { $0.level == .notice && $0.message.hasPrefix("rotation started: replacing \(old) (") && $0.message.hasSuffix(" days old)") })
        #expect(entries.contains { $0.level == .info && $0.message.contains("waiting for the new key to work (check 2 of 3)") })
        #expect(entries.contains { $0.level == .warning && $0.message.contains("\(old) was used after the switch") && $0.message.contains("by s3 in eu-west-1") })
        #expect(entries.contains { $0.level == .notice && $0.message.hasPrefix("rotation completed: ") && $0.message.hasSuffix("replaced \(old), which is deleted") })
        for secret in world.knownSecrets {
            #expect(!log.entries.contains { $0.contains(secret) })
        }
    }

    @Test("files that disagree are named with what each holds, in the refusal and in the event alike")
    func filesOutOfSync() {
        let holdings = [FileKeyHolding(path: "/etc/snowplow/a.yml", keyIDs: ["AKIAIOSFODNN7EXAMPLE"]),
                        FileKeyHolding(path: "/etc/snowplow/b.json", keyIDs: [])]
        let event = RotationEvent.filesOutOfSync(holdings)
        #expect(event.message == "the files do not hold the same key: /etc/snowplow/a.yml holds AKIAIOSFODNN7EXAMPLE; /etc/snowplow/b.json holds no key")
        #expect(event.level == .warning)
    }
}
