import Foundation
import KeyrotCore
import KeyrotTestSupport
import RotationEngine
import Testing

@Suite("Preflight: what is refused before any IAM write, and what is cleaned up")
struct RotationPreflightTests {
    @Test("files holding different key ids: refused before any IAM call, naming which file holds which id")
    func filesDisagree() async throws {
        let world = FakeWorld()
        let other = world.iam.addKey(status: .inactive, createdAt: world.clock.now)
        let stray = world.policy.files[1]
        world.files.set(stray, to: [other])
        let outcome = await world.driver().run(.rotate(force: true))

        guard case .refused(let error) = outcome else {
            Issue.record("expected refused, got \(outcome)")
            return
        }
        #expect(error.code == .filesDisagree)
        #expect(error.message.contains("\(stray) holds \(other.accessKeyID)"))
        #expect(error.message.contains("\(world.policy.files[0]) holds \(world.originalKey.accessKeyID)"))
        #expect(world.iam.calls(.list) == 0)
        #expect(world.iam.writes.isEmpty)
        #expect(world.events.events.contains { if case .filesOutOfSync = $0 { return true } else { return false } })
    }

    @Test("same key id with different secrets: refused, and the message holds no secret")
    func sameIDDifferentSecret() async throws {
        let world = FakeWorld()
        let forged = Credentials(accessKeyID: world.originalKey.accessKeyID, secretAccessKey: Secret("not-the-secret"))
        world.files.set(world.policy.files[2], to: [forged])
        let outcome = await world.driver().run(.rotate(force: true))
        #expect(outcome.errorCode == .filesDisagree)
        #expect(!"\(outcome)".contains("not-the-secret"))
        #expect(world.iam.writes.isEmpty)
    }

    @Test("a missing file: refused before any IAM call, naming the file")
    func missingFile() async throws {
        let world = FakeWorld()
        let missing = world.policy.files[1]
        world.files.remove(missing)
        let outcome = await world.driver().run(.rotate(force: true))
        guard case .refused(let error) = outcome else {
            Issue.record("expected refused, got \(outcome)")
            return
        }
        #expect(error.code == .fileFailed)
        #expect(error.message.contains(missing))
        #expect(world.iam.calls(.list) == 0)
    }

    @Test("a second Active key no file uses: refused, nothing changed")
    func unknownActiveKeyRefused() async throws {
        let world = FakeWorld()
        let unknown = world.iam.addKey(status: .active, createdAt: world.clock.now)
        let outcome = await world.driver().run(.rotate(force: true))
        guard case .refused(let error) = outcome else {
            Issue.record("expected refused, got \(outcome)")
            return
        }
        #expect(error.code == .unknownActiveKey)
        #expect(error.message.contains(unknown.accessKeyID.rawValue))
        #expect(world.iam.writes.isEmpty)
        #expect(world.iam.keys.count == 2)
    }

    @Test("a second Active key with delete_unknown_active_keys: deleted, then the rotation completes")
    func unknownActiveKeyDeleted() async throws {
        let world = FakeWorld { $0.deleteUnknownActiveKeys = true }
        let unknown = world.iam.addKey(status: .active, createdAt: world.clock.now)
        let outcome = await world.driver().run(.rotate(force: true))
        #expect(outcome.isCompleted)
        #expect(world.events.events.contains(.keyDeleted(unknown.accessKeyID, reason: .unknownActiveKey)))
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }

    @Test("an Inactive second key is deleted (and reported), then the rotation completes")
    func inactiveSecondKeyDeleted() async throws {
        let world = FakeWorld()
        let inactive = world.iam.addKey(status: .inactive, createdAt: world.clock.now.addingTimeInterval(-1_000))
        let outcome = await world.driver().run(.rotate(force: true))
        #expect(outcome.isCompleted)
        #expect(world.iam.writes.first == "delete \(inactive.accessKeyID)")
        #expect(world.events.events.contains(.keyDeleted(inactive.accessKeyID, reason: .inactiveSecondKey)))
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
    }

    @Test("the files' key is Inactive: refused")
    func inactiveCurrentKey() async throws {
        let world = FakeWorld()
        // Only the driver's own calls check signatures; flip the status via an admin-side update.
        try await world.iam.updateAccessKey(user: world.policy.user, keyID: world.originalKey.accessKeyID, status: .inactive, signedWith: world.originalKey)
        let outcome = await world.driver().run(.rotate(force: true))
        // The listing itself is refused for an Inactive signer, like real IAM.
        #expect(outcome.errorCode == .iamFailed || outcome.errorCode == .keyNotUsable)
        #expect(world.iam.calls(.create) == 0)
    }

    @Test("AccessDenied on CreateAccessKey: failed, IAM and the files as before, the message points to keyrotd policy")
    func createDenied() async throws {
        let world = FakeWorld()
        world.iam.inject(.error(RotationPortError(.accessDenied, "AccessDenied: not authorized to perform iam:CreateAccessKey; run `keyrotd policy` to print the IAM policy the user needs and attach it")), into: .create)
        let outcome = await world.driver().run(.rotate(force: true))
        guard case .failed(let error) = outcome else {
            Issue.record("expected failed, got \(outcome)")
            return
        }
        #expect(error.code == .accessDenied)
        #expect(error.message.hasPrefix("CreateAccessKey was denied: AccessDenied"))
        #expect(error.message.contains("keyrotd policy"))
        #expect(world.iam.keys.map(\.id) == [world.originalKey.accessKeyID])
        #expect(world.files.writeCount == 0)
        #expect(world.settledProblems().isEmpty, "\(world.settledProblems())")
        #expect(try world.store.record?.phase == .idle)
    }
}
