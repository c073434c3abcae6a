import Foundation
import KeyrotCore
import KeyrotTestSupport
import RotationEngine
import Testing

/// A configured file removed by someone during a rotation (found by the fault campaign: keyrotd
/// then retried restoring the removed file for ever instead of finishing the rollback).
@Suite("A file removed during the rotation")
struct RotationRemovedFileTests {
    @Test("removed between the backups and its write: rolled back, the file not recreated, the new key deleted")
    func removedBeforeItsWrite() async throws {
        let world = FakeWorld()
        try #require(world.policy.files.count >= 2)
        let removed = world.policy.files[world.policy.files.count - 1]  // written last, after the others
        world.files.remove(removed, before: .rewrite)
        let outcome = await world.driver().run(.rotate(force: true))
        #expect(outcome.isRolledBack)
        #expect(world.files.pairs(in: removed) == nil)
        for path in world.policy.files where path != removed {
            #expect(world.files.pairs(in: path) == [world.originalKey])
        }
        #expect(world.iam.keys.map(\.id) == [world.originalKey.accessKeyID])
        #expect(world.files.backupCount == 0)
        #expect(try world.store.record?.phase == .idle)
        #expect(world.events.events.contains { event in
            if case .progress(_, let message) = event { return message.contains("\(removed) was removed during the rotation") }
            return false
        })
    }

}
