import Foundation
import KeyrotCore
import KeyrotTestSupport
import RotationEngine
import Testing

/// Issue 10, Medium 6: two rotations ran at once on one state directory; the one rolling back
/// found that the other had finished: the files on a third key, both of its own keys deleted.
@Suite("A rollback overtaken by another rotation")
struct RotationConcurrentRotationTests {
    @Test("rolling back a new key that IAM no longer has, signed by an old key that is gone: settles, the files keep the working key")
    func overtakenRollbackSettles() async throws {
        let world = FakeWorld()
        world.verifier.inject(RotationPortError(.failed, "exit status 2"), times: 1_000)
        let reference = FakeWorld()
        reference.verifier.inject(RotationPortError(.failed, "exit status 2"), times: 1_000)
        _ = await reference.driver().run(.rotate(force: true))
        let index = try #require(reference.crashSwitch.log.firstIndex(of: "store.save rolling_back"))
        world.crashSwitch.arm(at: index, .afterEffect)
        _ = await world.driver().run(.rotate(force: true))
        world.crashSwitch.revive()
        let record = try #require(try world.store.record)
        #expect(record.phase == .rollingBack)
        let ours = try #require(record.newKeyID)

        // The other rotation: a third key in every file, this rotation's old and new keys deleted.
        let theirs = world.iam.addKey(createdAt: world.clock.now)
        for path in world.policy.files { world.files.set(path, to: [theirs]) }
        try await world.iam.deleteAccessKey(user: world.policy.user, keyID: ours, signedWith: theirs)
        try await world.iam.deleteAccessKey(user: world.policy.user, keyID: world.originalKey.accessKeyID, signedWith: theirs)

        let outcome = await world.driver().run(.resume)
        #expect(outcome.isRolledBack, "\(outcome)")
        for path in world.policy.files {
            #expect(world.files.pairs(in: path) == [theirs])
        }
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
        #expect(try world.store.record?.currentKeyID == theirs.accessKeyID)
    }
}
