import KeyrotTestSupport
import RotationEngine
import Synchronization
import Testing
@testable import KeyrotCLI

/// The crash points the fault campaign kills keyrotd at, from the hook the runtime installs
/// around the real ports, over an in-memory world.
@Suite struct CrashPointNameTests {
    @Test("crash points come in pairs around each successful port call, named as the campaign names them")
    func crashPointNames() async throws {
        let world = FakeWorld(restartUnits: ["snowplow-collector.service"])
        let points = Mutex<[String]>([])
        let hook = CrashPointHook { point in points.withLock { $0.append(point) } }
        let driver = RotationDriver(
            policy: world.policy, clock: world.clock,
            keys: HookedKeyService(wrapped: world.iam, hook: hook),
            files: HookedFileStore(wrapped: world.files, hook: hook),
            store: HookedStateStore(wrapped: world.store, hook: hook),
            verifier: HookedVerifier(wrapped: world.verifier, hook: hook),
            restarter: HookedConsumerRestarter(wrapped: world.restarter, hook: hook),
            events: world.events)
        let outcome = await driver.run(.rotate(force: true))
        #expect(outcome.isCompletedRotation, "\(outcome)")
        let names = points.withLock { $0 }
        for expected in ["before:readFile", "after:ListAccessKeys", "before:saveState:creating", "after:CreateAccessKey",
                         "after:saveState:created", "after:GetCallerIdentity", "after:backUpFile", "before:rewriteFile",
                         "after:saveState:verifying", "before:restartUnit", "after:restartUnit", "after:saveState:overlapping", "after:GetAccessKeyLastUsed", "after:UpdateAccessKey",
                         "after:DeleteAccessKey", "after:removeBackup", "after:saveState:idle"] {
            #expect(names.contains(expected), "\(expected) in \(names)")
        }
        #expect(names.count(where: { $0.hasPrefix("before:") }) == names.count(where: { $0.hasPrefix("after:") }))
        #expect(names.allSatisfy { !$0.hasSuffix(":loadState") && !$0.hasSuffix(":verify") }, "\(names)")
    }
}

private extension RotationOutcome {
    var isCompletedRotation: Bool {
        if case .completed = self { return true }
        return false
    }
}
