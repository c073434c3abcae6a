import Foundation
import KeyrotCore

/// The durable phase of a rotation. Each change is saved before the step it announces runs.
public enum RotationPhase: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// No rotation in flight.
    case idle
    /// Intent recorded; `CreateAccessKey` may or may not have happened.
    case creating
    /// New key and secret saved; the new key is being checked.
    case created
    /// Backups taken; the files are being rewritten.
    case writing
    /// Every file holds the new pair; the `restart_units` are restarted, then `verify_command` runs.
    case verifying
    /// Switched: the old key stays Active until `switchedAt + overlap`.
    case overlapping
    /// The old key is Inactive until `deactivatedAt + grace`, then deleted.
    case deactivated
    /// A failure before the switch is being undone: files restored, new key deleted.
    case rollingBack = "rolling_back"

    public var description: String { rawValue }
}

/// A secret that is written into the record on purpose (the record is a 0600 file).
public struct PersistedSecret: Sendable, Hashable, Codable, CustomStringConvertible {
    public let secret: Secret

    public init(_ secret: Secret) {
        self.secret = secret
    }

    public init(from decoder: any Decoder) throws {
        secret = Secret(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(secret.revealed())
    }

    public var description: String { "<redacted>" }
}

/// Progress of one file during the switch.
public struct FileProgress: Sendable, Hashable, Codable {
    public var path: String
    public var backup: FileBackupReference?
    public var written: Bool

    public init(path: String, backup: FileBackupReference? = nil, written: Bool = false) {
        self.path = path
        self.backup = backup
        self.written = written
    }
}

/// The last failure, as saved.
public struct RecordedError: Sendable, Hashable, Codable {
    public var code: String
    public var message: String
    public var at: Date

    init(_ error: RotationError, at date: Date) {
        code = error.code.rawValue
        message = error.message
        at = date
    }

    /// The error again (an unknown code reads as `.inconsistent`).
    var error: RotationError {
        RotationError(RotationError.Code(rawValue: code) ?? .inconsistent, message)
    }
}

/// Everything a restart needs to finish or undo a rotation. Encoded as JSON by the state store.
public struct RotationRecord: Sendable, Hashable, Codable {
    public static let currentVersion = 1

    public var version: Int
    public var user: String
    public var phase: RotationPhase
    public var oldKeyID: AccessKeyID?
    public var oldSecret: PersistedSecret?
    /// Wall-clock time the intent was recorded, before `CreateAccessKey`.
    public var intentAt: Date?
    public var newKeyID: AccessKeyID?
    public var newSecret: PersistedSecret?
    public var createdAt: Date?
    public var files: [FileProgress]
    /// The `restart_units` whose restart on the new key has begun, in order, each saved before its
    /// restart: a rollback restarts exactly these again on the old key. Absent (not written) when
    /// none has begun, so records without restarts read as before.
    public var restartedUnits: [String]?
    public var switchedAt: Date?
    public var deactivatedAt: Date?
    public var lastError: RecordedError?
    /// Failed attempts of the current step (reset when a phase is entered).
    public var attempts: Int
    public var nextAttemptAt: Date?
    /// The key the files hold after the last completed rotation, and when it completed.
    public var currentKeyID: AccessKeyID?
    public var lastCompletedAt: Date?
    /// When `currentKeyID` was created (`createdAt` of the rotation that completed with it), for
    /// `keyrotd status`'s key age. Absent in records from before it, and for a key keyrotd did not make.
    public var currentKeyCreatedAt: Date?

    public init(user: String) {
        version = Self.currentVersion
        self.user = user
        phase = .idle
        files = []
        attempts = 0
    }

    /// When the old key may be set Inactive: `switchedAt + overlap`.
    public func overlapEndsAt(overlap: TimeInterval) -> Date? {
        switchedAt?.addingTimeInterval(overlap)
    }

    /// When the old key may be deleted: `deactivatedAt + grace`.
    public func graceEndsAt(grace: TimeInterval) -> Date? {
        deactivatedAt?.addingTimeInterval(grace)
    }

    var oldCredentials: Credentials? {
        guard let oldKeyID, let oldSecret else { return nil }
        return Credentials(accessKeyID: oldKeyID, secretAccessKey: oldSecret.secret)
    }

    var newCredentials: Credentials? {
        guard let newKeyID, let newSecret else { return nil }
        return Credentials(accessKeyID: newKeyID, secretAccessKey: newSecret.secret)
    }

    /// Back to idle: every secret and per-rotation field forgotten.
    mutating func resetToIdle() {
        phase = .idle
        oldKeyID = nil
        oldSecret = nil
        intentAt = nil
        newKeyID = nil
        newSecret = nil
        createdAt = nil
        files = []
        restartedUnits = nil
        switchedAt = nil
        deactivatedAt = nil
        attempts = 0
        nextAttemptAt = nil
    }

    mutating func enter(_ newPhase: RotationPhase) {
        phase = newPhase
        attempts = 0
        nextAttemptAt = nil
    }

    /// JSON for the state file (dates as seconds since 1970, sorted keys).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return try encoder.encode(self)
    }

    /// Decodes a state file; refuses a version this build does not know.
    public static func decoded(from data: Data) throws -> RotationRecord {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        let record = try decoder.decode(RotationRecord.self, from: data)
        guard record.version == currentVersion else {
            throw RotationError(.unsupportedRecord, "the state file has version \(record.version), this keyrotd reads version \(currentVersion); use the keyrotd that wrote it")
        }
        return record
    }
}
