import DurableFS
import Foundation
import KeyrotCore
import RotationEngine

/// The local switch's durable record (`fleet-switch.json` in the state directory, 0600): which
/// key the files are being switched from and to, and where each file's backup is. It holds no
/// secret (the backups, 0600 in the state directory's backup folder, do). Written before the first
/// file is rewritten, so that a member killed mid-apply puts its files back at the next start.
struct FleetSwitchRecord: Codable, Sendable, Hashable {
    enum Stage: String, Codable, Sendable {
        /// Backups taken, files being rewritten and verified: a start that finds this restores them.
        case switching
        /// Every file holds `to`, verified; the backups stay for a fleet rollback (`restore`).
        case switched
    }

    var stage: Stage
    var from: AccessKeyID
    var to: AccessKeyID
    /// Configured path → its backup.
    var backups: [String: FileBackupReference]
    /// The `restart_units` whose restart on the new key has begun, each saved before its restart:
    /// putting the files back restarts exactly these again, on the old key.
    var restartedUnits: [String]? = nil

    static func path(in stateDirectory: String) -> String { StateDirectoryLayout(stateDirectory).fleetSwitch }

    static func load(from stateDirectory: String) throws -> FleetSwitchRecord? {
        let path = path(in: stateDirectory)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(FleetSwitchRecord.self, from: Data(try DurableFS.read(path, policy: .replaceable)))
        } catch {
            throw CLIError("\(path) cannot be read (\(error)); if the configured files are fine, remove it")
        }
    }

    func save(in stateDirectory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try DurableFS.writePrivate(Self.path(in: stateDirectory), bytes: Array(try encoder.encode(self)))
    }

    static func remove(from stateDirectory: String) throws {
        let path = path(in: stateDirectory)
        guard unlink(path) == 0 || errno == ENOENT else {
            throw CLIError("cannot remove \(path): \(String(cString: strerror(errno)))")
        }
    }
}
