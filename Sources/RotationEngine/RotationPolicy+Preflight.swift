import Foundation
import KeyrotCore

/// What `keyrotd check` reports: whether a rotation could start, from what the files and
/// ListAccessKeys show (the same rules preflight enforces).
public struct RotationReadiness: Sendable, Hashable {
    /// The key every file holds, as IAM lists it.
    public var currentKey: AccessKeyMetadata?
    /// When that key is due for rotation.
    public var nextDue: Date?
    /// Every reason a rotation could not start now; empty when it could.
    public var problems: [RotationError]
}

extension RotationPolicy {
    /// Which key ids each configured file holds.
    public func holdings(in snapshots: [String: CredentialFileContents]) -> [FileKeyHolding] {
        files.map { path in
            var ids: [AccessKeyID] = []
            for pair in snapshots[path]?.pairs ?? [] where !ids.contains(pair.accessKeyID) { ids.append(pair.accessKeyID) }
            return FileKeyHolding(path: path, keyIDs: ids)
        }
    }

    /// The one pair every configured file holds, or why there is none (naming which file holds which id).
    public func agreedCredentials(in snapshots: [String: CredentialFileContents]) -> Result<Credentials, RotationError> {
        let missing = files.filter { snapshots[$0]?.pairs.isEmpty != false }
        let ids = Set(files.flatMap { snapshots[$0]?.pairs.map(\.accessKeyID) ?? [] })
        let secrets = Set(files.flatMap { snapshots[$0]?.pairs.map(\.secretAccessKey) ?? [] })
        if missing.isEmpty, ids.count == 1, secrets.count == 1, let first = files.first, let pair = snapshots[first]?.pairs.first {
            return .success(pair)
        }
        let detail = ids.count == 1 && missing.isEmpty
            ? "the files hold \(ids.first?.rawValue ?? "?") with different secrets"
            : FileKeyHolding.disagreement(holdings(in: snapshots))
        return .failure(RotationError(.filesDisagree, "\(detail); make every file hold the same working pair, then run again"))
    }

    /// The listed entry of the files' key, or why it cannot be rotated.
    public func currentKey(_ id: AccessKeyID, in keys: [AccessKeyMetadata]) -> Result<AccessKeyMetadata, RotationError> {
        guard let current = keys.first(where: { $0.keyID == id }) else {
            return .failure(RotationError(.keyNotUsable, "the files hold \(id), which is not an access key of user \(user); check `user:` and the files"))
        }
        guard current.status == .active else {
            return .failure(RotationError(.keyNotUsable, "the files hold \(id), which is Inactive; activate it or put an Active key of \(user) in the files"))
        }
        return .success(current)
    }

    /// A second Active key that no file uses blocks a rotation unless `deleteUnknownActiveKeys`.
    public func unknownActiveKeyProblem(besides id: AccessKeyID, in keys: [AccessKeyMetadata]) -> RotationError? {
        guard !deleteUnknownActiveKeys, let unknown = keys.first(where: { $0.keyID != id && $0.status == .active }) else { return nil }
        return RotationError(.unknownActiveKey, "user \(user) has a second Active key \(unknown.keyID) that no configured file uses; something else may depend on it. Add its file to the configuration, delete it, or set delete_unknown_active_keys: true")
    }

    /// The first file that cannot be replaced keeping its attributes, as a refusal.
    public func writeProblem(in snapshots: [String: CredentialFileContents]) -> RotationError? {
        files.lazy.compactMap { snapshots[$0]?.writeProblem }.first.map { RotationError(.fileFailed, $0) }
    }

    /// Everything preflight would refuse, from one read of the files and one listing of the keys.
    public func readiness(files snapshots: [CredentialFileContents], keys: [AccessKeyMetadata]) -> RotationReadiness {
        let byPath = Dictionary(snapshots.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        var readiness = RotationReadiness(currentKey: nil, nextDue: nil, problems: [])
        switch agreedCredentials(in: byPath) {
        case .failure(let problem):
            readiness.problems.append(problem)
        case .success(let pair):
            switch currentKey(pair.accessKeyID, in: keys) {
            case .failure(let problem):
                readiness.problems.append(problem)
            case .success(let key):
                readiness.currentKey = key
                readiness.nextDue = nextDueDate(keyCreatedAt: key.createdAt)
            }
            if let problem = unknownActiveKeyProblem(besides: pair.accessKeyID, in: keys) { readiness.problems.append(problem) }
        }
        if let problem = writeProblem(in: byPath) { readiness.problems.append(problem) }
        return readiness
    }
}
