import Foundation
import KeyrotCore
import RotationEngine

/// Everything durable in a `FakeWorld` at one instant (IAM's keys, the files, the backups, the
/// record's exact JSON and the time), so that a state written by one version of the engine can be
/// resumed by another (Tests/RotationEngineTests/Fixtures).
public struct FakeWorldSnapshot: Codable, Sendable {
    public struct Key: Codable, Sendable {
        public var id: String
        public var secret: String
        public var status: String
        public var createdAt: Date
    }

    public struct Pair: Codable, Sendable, Hashable {
        public var id: String
        public var secret: String
    }

    /// Which crash produced it (e.g. `completes: store.save writing #3`).
    public var label: String
    public var now: Date
    /// The configured files, in configuration order.
    public var paths: [String]
    public var keys: [Key]
    public var files: [String: [Pair]]
    public var backups: [String: [Pair]]
    /// The state file's bytes as the engine wrote them.
    public var record: String?
}

extension FakeWorld {
    public func snapshot(label: String) -> FakeWorldSnapshot {
        FakeWorldSnapshot(
            label: label,
            now: clock.now,
            paths: policy.files,
            keys: iam.keys.map { .init(id: $0.id.rawValue, secret: $0.secret.revealed(), status: $0.status.rawValue, createdAt: $0.createdAt) },
            files: files.allFiles.mapValues { $0.map(FakeWorldSnapshot.Pair.init) },
            backups: files.allBackups.mapValues { $0.map(FakeWorldSnapshot.Pair.init) },
            record: store.storedData.map { String(decoding: $0, as: UTF8.self) })
    }

    /// A world in the state `snapshot` describes, under the default policy (the fakes issue the
    /// same keys in every world, so `originalKey` is the snapshot's original key too).
    public convenience init(restoring snapshot: FakeWorldSnapshot) {
        self.init(paths: snapshot.paths)
        clock.advance(by: snapshot.now.timeIntervalSince(clock.now))
        iam.replaceKeys(snapshot.keys.map {
            (Credentials(accessKeyID: try! AccessKeyID($0.id), secretAccessKey: Secret($0.secret)),  // ids the fakes issued
             AccessKeyStatus(rawValue: $0.status) ?? .active, $0.createdAt)
        })
        files.replaceAll(files: snapshot.files.mapValues { $0.map(\.credentials) },
                         backups: snapshot.backups.mapValues { $0.map(\.credentials) })
        store.replaceStoredData(snapshot.record.map { Data($0.utf8) })
    }
}

extension FakeWorldSnapshot.Pair {
    init(_ credentials: Credentials) {
        self.init(id: credentials.accessKeyID.rawValue, secret: credentials.secretAccessKey.revealed())
    }

    var credentials: Credentials {
        Credentials(accessKeyID: try! AccessKeyID(id), secretAccessKey: Secret(secret))  // ids the fakes issued
    }
}
