import Foundation
import KeyrotCore

extension FleetMember {
    /// One round's view: the files' pair and version, the record, and this member's item.
    struct Round {
        let member: FleetMember
        let pair: Credentials
        let record: FleetRotationRecord
        /// This member's item as read, updated as the round writes it.
        var state: MemberState
        /// The version whose key the files hold.
        var held: SecretVersionID

        var ports: FleetPorts { member.ports }
        var host: HostID { member.host }

        mutating func run() async throws -> FleetMemberRound {
            if let registered = state.applying {
                if let round = try await continueRegistration(registered) { return round }
            }
            if record.phase == .pending, let rotation = record.rotation, held != rotation, state.failed != rotation {
                return try await register(rotation)
            }
            if record.phase == .rollback, let rotation = record.rotation, held == rotation {
                return try await restore()
            }
            if let round = try await catchUp() { return round }
            if state.holds != held { try await report(MemberState(holds: held, failed: state.failed)) }
            return .inSync(held)
        }

        /// Rule 2, a registration found: valid only for its rotation, and only while the record is
        /// `pending` for it. A host that switched and stopped before acknowledging acknowledges
        /// now; one whose registration is void (the record moved on while it was away) clears it
        /// and reports what its files hold, without switching.
        private mutating func continueRegistration(_ registered: SecretVersionID) async throws -> FleetMemberRound? {
            if held != registered, record.phase == .pending, record.rotation == registered {
                return try await switchFiles(to: registered)
            }
            try await report(MemberState(holds: held, failed: state.failed))
            return nil
        }

        /// Rule 2: register to apply the pending rotation (a transaction with the record still at
        /// `pending` for it), then switch.
        private mutating func register(_ rotation: SecretVersionID) async throws -> FleetMemberRound {
            do {
                try await ports.table.register(host, toApply: rotation, signedWith: pair)
            } catch let error as FleetPortError where error.code == .conditionFailed {
                return .inSync(held)  // the record moved on since it was read
            }
            state.applying = rotation
            return try await switchFiles(to: rotation)
        }

        /// Fetches the registered rotation's pair by version id, switches the files (the switch
        /// verifies, and puts them back on failure), then acknowledges, or reports the failure.
        private mutating func switchFiles(to rotation: SecretVersionID) async throws -> FleetMemberRound {
            let version = try await ports.secret.read(version: rotation, signedWith: pair)
            do {
                guard version.credentials.accessKeyID == record.newKeyID else {
                    throw FleetPortError(.failed, "version \(rotation) of the secret holds \(version.credentials.accessKeyID), but the fleet record names \(record.newKeyID?.rawValue ?? "no key")")
                }
                try await ports.files.apply(version.credentials)
            } catch let error as FleetPortError {
                try await report(MemberState(holds: held, failed: rotation))
                ports.events.record(.applyFailed(host, rotation, reason: error.message))
                return .applyFailed(rotation)
            }
            try await report(MemberState(holds: rotation, failed: state.failed))
            ports.events.record(.applied(host, rotation, catchingUp: false))
            return .applied(rotation)
        }

        /// Rule 3: the record rolled back the rotation whose key the files hold: the base goes back.
        private mutating func restore() async throws -> FleetMemberRound {
            try await ports.files.restore(expecting: record.baseKeyID)
            try await report(MemberState(holds: record.base, failed: state.failed))
            ports.events.record(.restored(host, record.base))
            return .restored(record.base)
        }

        /// Rule 4: `AWSCURRENT` is on another version than the files hold (this host was away when
        /// it moved): read it, signed with the files' key (kept Active for this host), and switch.
        /// Not while the files hold the record's rotation in flight (rules 2 and 3 own that). A
        /// stale read returning the files' own version changes nothing; the next round catches up.
        private mutating func catchUp() async throws -> FleetMemberRound? {
            let inFlight = held == record.rotation && [.pending, .promoting, .rollback].contains(record.phase)
            guard !inFlight, try await ports.secret.describeStages(signedWith: pair).current != held else { return nil }
            let current = try await ports.secret.readCurrent(signedWith: pair)
            guard current.id != held else { return nil }
            guard record.version(ofKey: current.credentials.accessKeyID) == current.id else {
                return member.refuse("AWSCURRENT (version \(current.id)) holds \(current.credentials.accessKeyID), which the fleet record does not name; inspect `keyrotd fleet status`")
            }
            do {
                try await ports.files.apply(current.credentials)
            } catch let error as FleetPortError {
                ports.events.record(.applyFailed(host, current.id, reason: error.message))
                return .applyFailed(current.id)
            }
            try await report(MemberState(holds: current.id, failed: state.failed))
            ports.events.record(.applied(host, current.id, catchingUp: true))
            return .caughtUp(current.id)
        }

        private mutating func report(_ new: MemberState) async throws {
            try await ports.table.report(new, for: host, signedWith: pair)
            state = new
            held = new.holds
        }
    }
}
