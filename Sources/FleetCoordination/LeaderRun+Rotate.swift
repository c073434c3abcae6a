import Foundation
import KeyrotCore

// The way forward: start, create, publish AWSPENDING, wait for every live member, promote.
extension LeaderRun {
    /// `idle`: when the request still wants a rotation, checks that the user has only the fleet's
    /// key and that this host's files hold it, then records the intent (`creating`) under a new
    /// rotation id.
    func start() async throws -> FleetLeaderOutcome {
        guard FleetLeader.wants(request, record) else { return .nothingToDo }
        let signer = try await signer()
        guard signer.accessKeyID == record.baseKeyID else {
            return .refused("this host's files hold \(signer.accessKeyID), but the fleet's current key is \(record.baseKeyID); let this host catch up first")
        }
        let others = try await ports.keys.listKeys(signedWith: signer).filter { $0.keyID != record.baseKeyID }
        if let other = others.first {
            return .refused("the user has a second access key \(other.keyID) (\(other.status.rawValue)) that the fleet does not know; delete it, or run `keyrotd fleet join` on the hosts that use it")
        }
        record.sequence += 1
        record.rotation = SecretVersionID.newRotationToken(sequence: record.sequence)
        record.newKeyID = nil
        try await enter(.creating)
        emit(.rotationStarted(sequence: record.sequence, oldKeyID: record.baseKeyID))
        return try await create()
    }

    /// `creating`: `CreateAccessKey`, then the new id recorded (`created`). A leader deposed
    /// meanwhile deletes the key it made (nobody else can know it) and stops.
    func create() async throws -> FleetLeaderOutcome {
        let new: Credentials
        do {
            new = try await ports.keys.createKey(signedWith: signer())
        } catch let error as FleetPortError where error.code == .limitExceeded {
            return try await rollBack(reason: "IAM refused a new key: \(error.message)")
        } catch let error as FleetPortError {
            // The key may exist without its answer: look for it, as a takeover would.
            return try await rollBackUnrecordedKey(reason: "CreateAccessKey failed: \(error.message)")
        }
        record.newKeyID = new.accessKeyID
        do {
            try await enter(.created)
        } catch Deposed.deposed {
            try? await ports.keys.delete(new.accessKeyID, signedWith: signer())
            throw Deposed.deposed
        }
        emit(.keyCreated(new.accessKeyID))
        return try await publish(new)
    }

    /// `created`: the new key must pass STS before anyone is handed it (IAM is eventually
    /// consistent); then `PutSecretValue` staged `AWSPENDING` with the rotation id as token, and
    /// `pending` recorded.
    private func publish(_ new: Credentials) async throws -> FleetLeaderOutcome {
        guard let rotation = record.rotation else { throw brokenRecord() }
        let deadline = now.addingTimeInterval(policy.propagationTimeout)
        while true {
            do {
                try await ports.keys.checkWorks(new)
                break
            } catch let error as FleetPortError {
                guard now < deadline else {
                    return try await rollBack(reason: "the new key did not work within propagation_timeout: \(error.message)")
                }
                try await pause()
            }
        }
        try await ports.secret.putPending(new, token: rotation, signedWith: signer())
        try await enter(.pending)
        emit(.pendingPublished(rotation))
        return try await waitForAcknowledgements()
    }

    /// `pending`: waits until every live member (heartbeat within `member_timeout`) holds the new
    /// version, up to `ack_timeout` (counted again by a leader that took over). A member's failure
    /// or the timeout rolls the fleet back. A member that is down does not hold up promotion: its
    /// old key stays Active for it (see `overlap`).
    func waitForAcknowledgements() async throws -> FleetLeaderOutcome {
        guard let rotation = record.rotation else { throw brokenRecord() }
        let deadline = now.addingTimeInterval(policy.ackTimeout)
        while true {
            let members = try await lookAtMembers().filter { !$0.dropped }
            if let failed = members.first(where: { $0.state.failed == rotation }) {
                return try await rollBack(reason: "\(failed.host) failed to apply the new key")
            }
            let live = members.filter { watch.silence(of: $0.host, at: now) <= policy.memberTimeout }
            let waiting = live.filter { $0.state.holds != rotation }
            if waiting.isEmpty {
                for missing in members where missing.state.holds != rotation && !live.contains(missing) {
                    emit(.hostMissing(missing.host))
                }
                try await enter(.promoting)
                return try await promote()
            }
            announceWaiting(for: waiting, of: live)
            guard now < deadline else {
                return try await rollBack(reason: "ack_timeout passed with \(waiting.map(\.host.rawValue).joined(separator: ", ")) not acknowledging")
            }
            try await pause()
        }
    }

    /// `promoting`: `AWSCURRENT` moves to the new version (a compare-and-swap on the base: a late
    /// call changes nothing), `AWSPENDING` is removed, and `promoted` recorded.
    func promote() async throws -> FleetLeaderOutcome {
        guard let rotation = record.rotation else { throw brokenRecord() }
        let signer = try await signer()
        try await ports.secret.promote(rotation, replacing: record.base, signedWith: signer)
        try await ports.secret.removePending(from: rotation, signedWith: signer)
        try await enter(.promoted)
        emit(.promoted(rotation))
        return try await overlap()
    }

    /// A record in a phase that lacks the data that phase needs: nothing safe can be done automatically.
    func brokenRecord() -> FleetPortError {
        FleetPortError(.failed, "the fleet record is in phase \(record.phase.rawValue) without its rotation or key id; inspect it with `keyrotd fleet status` and repair the lease item by hand")
    }
}
