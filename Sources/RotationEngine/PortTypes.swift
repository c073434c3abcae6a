import Foundation
import KeyrotCore

/// Opaque version of a file's content, used for compare-and-swap.
public struct FileVersion: Sendable, Hashable, Codable {
    public let token: String

    public init(_ token: String) {
        self.token = token
    }
}

/// What a credential file holds right now, as the engine sees it (the rewriter's own, richer
/// view is `CredentialFiles.CredentialFileSnapshot`).
public struct CredentialFileContents: Sendable, Hashable {
    public let path: String
    /// Every pair found in the file (usually one).
    public let pairs: [Credentials]
    public let version: FileVersion
    /// Why the file could not be replaced keeping its attributes (group, ACLs...), found when it was
    /// read; preflight refuses on it before a key is created, since it would fail every attempt.
    public let writeProblem: String?

    public init(path: String, pairs: [Credentials], version: FileVersion, writeProblem: String? = nil) {
        self.path = path
        self.pairs = pairs
        self.version = version
        self.writeProblem = writeProblem
    }

    /// Whether every pair in the file is exactly `credentials` (and there is at least one).
    public func holdsOnly(_ credentials: Credentials) -> Bool {
        !pairs.isEmpty && pairs.allSatisfy {
            $0.accessKeyID == credentials.accessKeyID && $0.secretAccessKey == credentials.secretAccessKey
        }
    }

    /// Whether any pair in the file has key id `id`.
    public func holds(_ id: AccessKeyID) -> Bool {
        pairs.contains { $0.accessKeyID == id }
    }
}

/// Where the rewriter keeps a file's pre-rotation bytes. Persisted in the record.
public struct FileBackupReference: Sendable, Hashable, Codable {
    /// The backup's location (a path in the state directory for the real adapter).
    public let location: String
    /// Digest of the backed-up bytes.
    public let digest: String

    public init(location: String, digest: String) {
        self.location = location
        self.digest = digest
    }
}

/// A port failure, classified as far as the engine needs it. The message is complete for an
/// operator: it names the call or the file and says what to do (the engine adds only which step
/// failed); `cause` keeps the underlying error.
public struct RotationPortError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, Codable {
        /// The key, user or file does not exist: a delete of it is done, a removed file is not recreated.
        case noSuchEntity
        /// IAM refused the action.
        case accessDenied
        /// The service could not be reached (nothing was sent, or no answer).
        case unreachable
        /// Anything else.
        case failed
    }

    public let code: Code
    public let message: String
    public let cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message }
}
