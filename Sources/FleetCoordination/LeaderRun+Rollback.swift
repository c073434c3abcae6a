import Foundation
import KeyrotCore

// The way back: members restore the base key, then the new key is deleted once nobody may hold it.
extension LeaderRun {
    /// `creating` found after a takeover, or a create whose outcome is unknown: a key IAM made
    /// without the answer reaching the leader is the user's key that is not the base (the start
    /// checked that the base was the only one). Its id is recorded with the rollback, so that it is
    /// deleted by id.
    func rollBackUnrecordedKey(reason: String) async throws -> FleetLeaderOutcome {
        if record.newKeyID == nil {
            let keys = try await ports.keys.listKeys(signedWith: signer())
            record.newKeyID = keys.first { $0.keyID != record.baseKeyID }?.keyID
        }
        return try await rollBack(reason: reason)
    }

    /// Records `rollback`: every member holding the new version restores the base.
    func rollBack(reason: String) async throws -> FleetLeaderOutcome {
        rollbackReason = reason
        try await enter(.rollback)
        if let rotation = record.rotation { emit(.fleetRolledBack(rotation, reason: reason)) }
        return try await waitForRestores()
    }

    /// `rollback`: `AWSPENDING` removed; then waits until no member that is not dropped holds the
    /// new version or is registered to apply it (dropping those silent past grace). Only then is
    /// the new key deleted: a member that registered and then went down may have switched to it.
    func waitForRestores() async throws -> FleetLeaderOutcome {
        guard let rotation = record.rotation else { throw brokenRecord() }
        try await ports.secret.removePending(from: rotation, signedWith: signer())
        while true {
            let members = try await lookAtMembers().filter { !$0.dropped }
            let waiting = members.filter { $0.state.holds == rotation || $0.state.applying == rotation }
            if waiting.isEmpty { break }
            announceWaiting(for: waiting, of: members)
            try await pause()
        }
        try await enter(.rollbackDelete)
        return try await deleteNewKey()
    }

    /// `rbdelete`: the new key, never current, is deleted at once; `idle` with the base unchanged
    /// (the next rotation gets a new id).
    func deleteNewKey() async throws -> FleetLeaderOutcome {
        guard let rotation = record.rotation else { throw brokenRecord() }
        if let newKeyID = record.newKeyID {
            try await done(ifGone: { try await ports.keys.delete(newKeyID, signedWith: signer()) })
            emit(.keyDeleted(newKeyID))
        }
        record.rotation = nil
        record.newKeyID = nil
        try await enter(.idle)
        return .rolledBack(rotation, reason: rollbackReason ?? "rolled back by a previous leader")
    }
}
