import DurableFS
import FoundationEssentials
import RotationEngine

/// The engine's `RotationStateStore`: the state directory's record, written 0600 with fsync,
/// rename and a directory fsync. It holds the new secret while a rotation is in flight.
struct StateFileStore: RotationStateStore {
    let path: String

    init(stateDirectory: String) {
        path = StateDirectoryLayout(stateDirectory).record
    }

    func load() async throws -> RotationRecord? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let bytes = try DurableFS.read(path)
        do {
            return try RotationRecord.decoded(from: Data(bytes))
        } catch let error as RotationError {
            throw error
        } catch {
            throw RotationError(.stateStore, "\(path) is not a readable rotation record (\(error)); move it aside only after checking IAM and the files by hand", cause: error)
        }
    }

    func save(_ record: RotationRecord) async throws {
        try DurableFS.writePrivate(path, bytes: Array(try record.encoded()))
    }
}
