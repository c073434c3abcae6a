import Foundation
import KeyrotCore
import KeyrotTestSupport
import RotationEngine
import Synchronization
import Testing

@Suite("The order of the saga's durable steps")
struct RotationSagaOrderTests {
    @Test("the intent is saved before CreateAccessKey, the secret before anything else, each phase before its step")
    func savedBeforeEachStep() async throws {
        let world = FakeWorld()
        _ = await world.driver().run(.rotate(force: true))
        let log = world.crashSwitch.log
        func position(_ name: String) throws -> Int { try #require(log.firstIndex(of: name), "\(name) in \(log)") }
        #expect(try position("store.save creating") < position("iam.create"))
        #expect(try position("iam.create") + 1 == position("store.save created"))
        #expect(try position("store.save created") < position("iam.identity"))
        let firstWrite = try #require(log.firstIndex { $0.hasPrefix("files.rewrite") })
        #expect(try position("store.save writing") < firstWrite)
        #expect(try position("store.save overlapping") < position("iam.update"))
        #expect(try position("store.save deactivated") < log.lastIndex(of: "iam.delete") ?? -1)
    }

    @Test("a stop asked for while CreateAccessKey is in flight waits until the secret is saved")
    func stopWaitsForTheSecret() async throws {
        let world = FakeWorld()
        let stopping = world.driver()
        world.crashSwitch.observe { operation in if operation == "iam.create" { stopping.requestStop() } }
        let outcome = await stopping.run(.rotate(force: true))
        #expect(outcome == .interrupted(phase: .created, nil))
        #expect(try world.store.record?.newSecret != nil)
        #expect(world.iam.calls(.identity) == 0)

        world.crashSwitch.observe { _ in }
        let finished = await world.driver().run(.resume)
        #expect(finished.isCompleted)
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }
}
