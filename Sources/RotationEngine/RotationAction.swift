import Foundation
import KeyrotCore

/// A request from the machine to the outside world; the driver performs it and feeds back an
/// `ActionResult`. IAM actions concern `RotationPolicy.user`.
public enum RotationAction: Sendable, Hashable {
    case save(RotationRecord)
    case readFiles([String])
    case listKeys(signedWith: Credentials)
    case createKey(signedWith: Credentials)
    case deleteKey(AccessKeyID, signedWith: Credentials)
    case deactivateKey(AccessKeyID, signedWith: Credentials)
    case lookUpLastUse(AccessKeyID, signedWith: Credentials)
    case checkIdentity(signedWith: Credentials)
    case backUpFile(path: String)
    case rewriteFile(path: String, expected: FileVersion, old: Credentials, new: Credentials)
    case restoreFile(path: String, backup: FileBackupReference)
    case removeBackup(FileBackupReference)
    case runVerifier
    case sleep(until: Date)
    /// The run is over.
    case finish(RotationOutcome)
}

/// The answer to an action.
public enum ActionResult: Sendable, Hashable {
    case done
    case files([CredentialFileSnapshot])
    case keys([AccessKeyMetadata])
    case created(Credentials)
    case identity(CallerIdentity)
    case lastUse(AccessKeyLastUse)
    case backup(FileBackupReference)
    case failed(RotationPortError)
}

/// One step of the machine: events to report, then the action to perform.
public struct RotationStep: Sendable, Hashable {
    public var events: [RotationEvent]
    public var action: RotationAction
}
