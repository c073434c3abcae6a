import Foundation
import KeyrotCore
import RotationEngine
import Synchronization

/// In-memory credential files: each holds credential pairs and a version that changes on every
/// write; rewrites are compare-and-swap; backups are copies; failures can be injected per
/// operation and path. A write is all or nothing (the real rewriter renames atomically).
public final class FakeCredentialFiles: CredentialFileStore {
    public enum Operation: String, Sendable, Hashable {
        case read, backUp, rewrite, restore, removeBackup
    }

    public struct File: Sendable, Hashable {
        public var pairs: [Credentials]
        public var version: Int
    }

    struct State {
        var files: [String: File] = [:]
        var backups: [String: File] = [:]
        var failures: [String: [RotationPortError]] = [:]
        var writes = 0
        var removals: Set<String> = []
        var writeProblems: [String: String] = [:]
    }

    private let crashSwitch: FakeCrashSwitch
    private let state = Mutex(State())

    public init(crashSwitch: FakeCrashSwitch) {
        self.crashSwitch = crashSwitch
    }

    // MARK: Test controls

    /// Puts `pairs` into `path` (an edit by someone else when the file exists).
    public func set(_ path: String, to pairs: [Credentials]) {
        state.withLock { state in
            let version = (state.files[path]?.version ?? 0) + 1
            state.files[path] = File(pairs: pairs, version: version)
        }
    }

    public func remove(_ path: String) {
        state.withLock { _ = $0.files.removeValue(forKey: path) }
    }

    /// `path` disappears (someone removes it) right before the next `operation` on it.
    public func remove(_ path: String, before operation: Operation) {
        state.withLock { _ = $0.removals.insert(Self.failureKey(operation, path)) }
    }

    /// The next `times` calls of `operation` (on `path`, or on any path when nil) fail.
    public func inject(_ error: RotationPortError, into operation: Operation, path: String? = nil, times: Int = 1) {
        state.withLock { $0.failures[Self.failureKey(operation, path), default: []] += Array(repeating: error, count: times) }
    }

    /// Reads of `path` report that it cannot be replaced keeping its attributes (nil: they no longer do).
    public func setWriteProblem(_ path: String, _ problem: String?) {
        state.withLock { $0.writeProblems[path] = problem }
    }

    /// Replaces every file and backup (restoring a saved world).
    public func replaceAll(files: [String: [Credentials]], backups: [String: [Credentials]]) {
        state.withLock { state in
            state.files = files.mapValues { File(pairs: $0, version: 1) }
            state.backups = backups.mapValues { File(pairs: $0, version: 1) }
        }
    }

    public var allFiles: [String: [Credentials]] { state.withLock { $0.files.mapValues(\.pairs) } }
    public var allBackups: [String: [Credentials]] { state.withLock { $0.backups.mapValues(\.pairs) } }

    public func pairs(in path: String) -> [Credentials]? { state.withLock { $0.files[path]?.pairs } }
    public var backupCount: Int { state.withLock { $0.backups.count } }
    /// Successful rewrites and restores.
    public var writeCount: Int { state.withLock { $0.writes } }

    /// The paths whose pairs include `id`.
    public func paths(holding id: AccessKeyID) -> [String] {
        state.withLock { state in
            state.files.filter { $0.value.pairs.contains { $0.accessKeyID == id } }.map(\.key).sorted()
        }
    }

    // MARK: CredentialFileStore

    public func read(path: String) async throws -> CredentialFileContents {
        try operate(.read, path) { state in
            guard let file = state.files[path] else { throw RotationPortError(.noSuchEntity, "\(path): no such file") }
            return CredentialFileContents(path: path, pairs: file.pairs, version: FileVersion("v\(file.version)"),
                                          writeProblem: state.writeProblems[path])
        }
    }

    public func backUp(path: String) async throws -> FileBackupReference {
        try operate(.backUp, path) { state in
            guard let file = state.files[path] else { throw RotationPortError(.noSuchEntity, "\(path): no such file") }
            let location = "backup:\(path)"
            state.backups[location] = file
            return FileBackupReference(location: location, digest: "v\(file.version)")
        }
    }

    public func rewrite(path: String, expected: FileVersion, replacing old: Credentials, with new: Credentials) async throws {
        try operate(.rewrite, path) { state in
            guard var file = state.files[path] else { throw RotationPortError(.noSuchEntity, "\(path): no such file") }
            guard "v\(file.version)" == expected.token else {
                throw RotationPortError(.failed, "\(path) changed since it was read (compare-and-swap refused)")
            }
            guard file.pairs.contains(where: { $0.accessKeyID == old.accessKeyID }) else {
                throw RotationPortError(.failed, "\(path) does not hold \(old.accessKeyID)")
            }
            file.pairs = file.pairs.map { $0.accessKeyID == old.accessKeyID ? new : $0 }
            file.version += 1
            state.files[path] = file
            state.writes += 1
        }
    }

    public func restore(path: String, from backup: FileBackupReference) async throws {
        try operate(.restore, path) { state in
            guard let saved = state.backups[backup.location] else {
                throw RotationPortError(.failed, "backup \(backup.location) is missing")
            }
            guard state.files[path] != nil else { throw RotationPortError(.noSuchEntity, "\(path): no such file") }
            let version = max(state.files[path]?.version ?? 0, saved.version) + 1
            state.files[path] = File(pairs: saved.pairs, version: version)
            state.writes += 1
        }
    }

    public func removeBackup(_ backup: FileBackupReference) async throws {
        try operate(.removeBackup, backup.location) { state in
            _ = state.backups.removeValue(forKey: backup.location)
        }
    }

    // MARK: Internals

    static func failureKey(_ operation: Operation, _ path: String?) -> String {
        "\(operation.rawValue) \(path ?? "*")"
    }

    private func operate<T>(_ operation: Operation, _ path: String, _ body: (inout State) throws -> T) throws -> T {
        try crashSwitch.operate("files.\(operation.rawValue) \(path)") {
            try state.withLock { state in
                if state.removals.remove(Self.failureKey(operation, path)) != nil {
                    state.files[path] = nil
                }
                for key in [Self.failureKey(operation, path), Self.failureKey(operation, nil)] {
                    if let error = state.failures[key]?.first {
                        state.failures[key]?.removeFirst()
                        throw error
                    }
                }
                return try body(&state)
            }
        }
    }
}
