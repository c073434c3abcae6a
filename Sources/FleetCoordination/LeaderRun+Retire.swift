import Foundation
import KeyrotCore

// After promotion: overlap, deactivation, grace, deletion. The old key is retired only when no
// member within its grace may still hold it.
extension LeaderRun {
    /// `promoted`: the old key stays Active for the overlap, and then until every member that is
    /// not dropped holds the new version. A member that was down catches up when it returns (it
    /// reads `AWSCURRENT` with the old key); one silent past `member_grace` is dropped and no
    /// longer counts.
    func overlap() async throws -> FleetLeaderOutcome {
        guard let rotation = record.rotation else { throw brokenRecord() }
        let overlapEnd = (record.phaseEnteredAt ?? now).addingTimeInterval(policy.overlap)
        while true {
            let members = try await lookAtMembers().filter { !$0.dropped }
            let waiting = members.filter { $0.state.holds != rotation }
            if waiting.isEmpty, now >= overlapEnd { break }
            if !waiting.isEmpty { announceWaiting(for: waiting, of: members) }
            try await pause()
        }
        await reportLastUse(of: record.baseKeyID, since: overlapEnd.addingTimeInterval(-policy.overlap))
        try await enter(.retiring)
        return try await deactivateOldKey()
    }

    /// Before the old key is deactivated: a use after promotion means something outside the
    /// fleet's files still holds it (it will break); said as a warning, it does not stop retirement.
    private func reportLastUse(of old: AccessKeyID, since promotion: Date) async {
        do {
            let use = try await ports.keys.lastUsed(old, signedWith: signer())
            if let date = use.date, date > promotion { emit(.oldKeyUsedAfterPromotion(old, use)) }
        } catch {
            emit(.warning("fleet: could not look up when \(old) was last used: \(error)"))
        }
    }

    /// `retiring`: the old key is set Inactive, then `grace` recorded.
    func deactivateOldKey() async throws -> FleetLeaderOutcome {
        let old = record.baseKeyID
        try await done(ifGone: { try await ports.keys.deactivate(old, signedWith: signer()) })
        emit(.keyDeactivated(old))
        try await enter(.grace)
        return try await deleteOldKey()
    }

    /// `grace`: the old key stays Inactive for the grace, then is deleted; the rotation completes
    /// (`idle`, its version the new base).
    func deleteOldKey() async throws -> FleetLeaderOutcome {
        guard let rotation = record.rotation, let newKeyID = record.newKeyID else { throw brokenRecord() }
        let graceEnd = (record.phaseEnteredAt ?? now).addingTimeInterval(policy.grace)
        while now < graceEnd { try await pause() }
        let old = record.baseKeyID
        try await done(ifGone: { try await ports.keys.delete(old, signedWith: signer()) })
        emit(.keyDeleted(old))
        record.base = rotation
        record.baseKeyID = newKeyID
        record.rotation = nil
        record.newKeyID = nil
        record.completedRotations += 1
        try await enter(.idle)
        emit(.rotationCompleted(oldKeyID: old, newKeyID: newKeyID))
        return .completed(oldKeyID: old, newKeyID: newKeyID)
    }

    /// Runs a deactivation or deletion by id; a key already gone counts as done (a redo after a takeover).
    func done(ifGone action: () async throws -> Void) async throws {
        do {
            try await action()
        } catch let error as FleetPortError where error.code == .noSuchEntity {
            return
        }
    }
}
