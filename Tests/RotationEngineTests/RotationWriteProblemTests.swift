import Foundation
import KeyrotCore
import KeyrotTestSupport
import RotationEngine
import Testing

/// A file the store found it cannot replace keeping its attributes (an ACL that cannot be copied,
/// a group keyrotd cannot give): the failure would repeat on every attempt, so preflight refuses
/// before CreateAccessKey instead of creating, rolling back and deleting a key each time.
@Suite("Preflight: a file that cannot be written keeping its attributes")
struct RotationWriteProblemTests {
    @Test("refused before any IAM write, naming the file and the problem; check reports it too")
    func refusedBeforeCreate() async throws {
        let world = FakeWorld()
        let file = world.policy.files[1]
        world.files.setWriteProblem(file, "\(file): a replacement cannot keep its POSIX ACL (system.posix_acl_access)")
        let outcome = await world.driver().run(.rotate(force: true))
        guard case .refused(let error) = outcome else {
            Issue.record("expected refused, got \(outcome)")
            return
        }
        #expect(error.code == .fileFailed)
        #expect(error.message.contains("\(file): a replacement cannot keep its POSIX ACL"))
        #expect(world.iam.writes.isEmpty, "no key created")
        #expect(world.files.writeCount == 0)
        #expect(world.files.pairs(in: file) == [world.originalKey])

        let snapshots = world.policy.files.map {
            CredentialFileContents(path: $0, pairs: [world.originalKey], version: FileVersion("v1"),
                                   writeProblem: $0 == file ? "cannot keep" : nil)
        }
        #expect(world.policy.readiness(files: snapshots, keys: []).problems.map(\.code).contains(.fileFailed))
    }

    @Test("once the problem is gone the rotation goes through")
    func rotatesAfterwards() async throws {
        let world = FakeWorld()
        world.files.setWriteProblem(world.policy.files[0], "cannot keep")
        _ = await world.driver().run(.rotate(force: true))
        world.files.setWriteProblem(world.policy.files[0], nil)
        let outcome = await world.driver().run(.rotate(force: true))
        #expect(outcome.isCompleted)
        #expect(world.files.paths(holding: world.originalKey.accessKeyID).isEmpty)
    }
}
