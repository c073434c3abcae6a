import Foundation
import KeyrotCore
import KeyrotTestSupport
import RotationEngine
import Testing

/// Records written by the engine of release 1 (the state machine of commit a909675), captured at
/// every save of the crash scenarios together with IAM, the files and the backups at that instant
/// (Fixtures/v1-records, see its README). A restart of this engine must settle each of them.
@Suite("Records written by the previous engine resume under this one")
struct RotationRecordCompatibilityTests {
    static let directory = Repository.root.appending(path: "Tests/RotationEngineTests/Fixtures/v1-records")

    static func snapshots() throws -> [FakeWorldSnapshot] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
        return try files.flatMap { try decoder.decode([FakeWorldSnapshot].self, from: Data(contentsOf: $0)) }
    }

    @Test("every phase of the previous engine is among the fixtures")
    func everyPhaseCaptured() throws {
        let phases = try Set(Self.snapshots().compactMap { snapshot in
            try snapshot.record.map { try RotationRecord.decoded(from: Data($0.utf8)).phase }
        })
        #expect(phases == [.idle, .creating, .created, .writing, .verifying, .overlapping, .deactivated, .rollingBack])
    }

    @Test("each captured record resumes and settles", arguments: try snapshots())
    func resumes(snapshot: FakeWorldSnapshot) async throws {
        let world = FakeWorld(restoring: snapshot)
        let data = try #require(world.store.storedData)
        let record = try RotationRecord.decoded(from: data)
        // The record reads back into the same JSON (no field renamed, none lost).
        let reencoded = try JSONSerialization.jsonObject(with: record.encoded()) as? NSDictionary
        #expect(reencoded == (try JSONSerialization.jsonObject(with: data) as? NSDictionary), "\(snapshot.label)")

        let outcome = await world.driver().run(.resume)
        switch outcome {
        case .interrupted, .deferred: Issue.record("\(snapshot.label): resume did not settle: \(outcome)")
        default: break
        }
        #expect(world.settledProblems().isEmpty, "\(snapshot.label): \(world.settledProblems())")
    }
}

extension FakeWorldSnapshot: CustomTestStringConvertible {
    public var testDescription: String { label }
}
