import Foundation
import KeyrotCore

extension RotationMachine {
    /// What the machine waits for: the action in flight. Not persisted (a restart reconciles).
    enum Stage: Sendable, Hashable {
        case notStarted
        case readingFiles(FileReadPurpose)
        case listingKeys(KeyListPurpose)
        case saving(AfterSave)
        case deletingSecondKeys(remaining: [AccessKeyMetadata], keyAge: TimeInterval?)
        case creatingKey
        /// Saving the new secret failed: the key is deleted at once.
        case deletingUnsavedKey(RotationError)
        case deletingOrphans(remaining: [AccessKeyID], error: RotationError?)
        case checkingIdentity(CheckProgress)
        case waitingToCheck(CheckProgress)
        case backingUp(index: Int, backups: [FileBackupReference])
        case rewriting(index: Int)
        case verifying
        case waitingForOverlap
        case lookingUpLastUse
        case deactivating
        case waitingForGrace
        case deletingOldKey
        case restoring(index: Int, readError: RotationError?)
        case deletingNewKey
        case removingBackups(index: Int, then: Completion)
        case waitingToRetry
        case finished
    }

    enum FileReadPurpose: Sendable, Hashable {
        /// At start (and after a retry wait): what do the files hold now?
        case recovery
        /// After writing: does every file hold the new pair?
        case readBack
        /// Before restoring: which files hold something other than the old pair?
        case beforeRestore
        /// After restoring: does any file still hold the new key?
        case afterRestore
    }

    enum KeyListPurpose: Sendable, Hashable {
        case preflight(Credentials)
        /// After a failed CreateAccessKey, or at start in phase `creating`.
        case resolveCreate(RotationError?)
        case recoverCreated
        case recoverRetirement
    }

    /// What follows a successful save.
    enum AfterSave: Sendable, Hashable {
        case intentRecorded
        case keySaved
        case backupsRecorded
        case fileWritten(index: Int)
        case verifyingRecorded
        case switched
        case rollbackRecorded
        case deactivated
        case idleAfterCreateResolved(RotationError?)
        case idleAfterVanishedKey(RotationError)
        case completed(old: AccessKeyID, new: AccessKeyID)
        case rolledBack(newKeyID: AccessKeyID?, RotationError)
        case retryRecorded(RotationError)
    }

    enum Completion: Sendable, Hashable {
        case completed
        case rolledBack(RotationError)
    }

    struct CheckProgress: Sendable, Hashable {
        var passed: Int
        var failures: Int
        var deadline: Date
        var lastFailure: String?
    }
}
