import FleetCoordination
import Foundation
import KeyrotCore
import KeyrotTestSupport
import Testing

@Suite("Fleet rotation on three hosts")
struct FleetRotationTests {
    @Test("a rotation switches every host, and the old key is retired only after all three acknowledged")
    func rotationOnThreeHosts() async throws {
        let fleet = FleetSimulation()
        let old = fleet.cloud.initialPair.accessKeyID
        let outcome = try await fleet["collector-1"].startLeader().value

        guard case .completed(let retired, let new) = outcome else { Issue.record("outcome \(outcome)"); return }
        #expect(retired == old)
        #expect(fleet.violations.isEmpty, "\(fleet.violations)")
        #expect(fleet.hosts.allSatisfy { $0.files.pair.accessKeyID == new })
        #expect(fleet.cloud.keyIDs == [new])
        #expect(fleet.cloud.writes == ["create \(new)", "deactivate \(old)", "delete \(old)"])
        #expect(fleet.record.phase == .idle && fleet.record.baseKeyID == new && fleet.record.completedRotations == 1)
        #expect(fleet.cloud.stages.pending == nil && fleet.cloud.stages.previous == FleetSimulation.initialVersion)
        #expect(fleet.cloud.lease.owner == nil)
        let events = fleet["collector-1"].events.all
        let acknowledged = events.compactMap { if case .hostAcknowledged(let host, _) = $0 { host } else { nil } }
        #expect(Set(acknowledged) == ["collector-1", "collector-2", "collector-3"])
        let promotedAt = try #require(events.firstIndex { if case .promoted = $0 { true } else { false } })
        let lastAck = try #require(events.lastIndex { if case .hostAcknowledged = $0 { true } else { false } })
        #expect(lastAck < promotedAt)
        #expect(!events.contains { if case .hostMissing = $0 { true } else { false } })
    }

    @Test("a host down during the rotation keeps the old key Active; it catches up when it returns, then the old key is retired",
          arguments: [0, 3])
    func hostDownCatchesUp(staleCurrentReads: Int) async throws {
        let fleet = FleetSimulation(staleCurrentReads: staleCurrentReads)
        let old = fleet.cloud.initialPair
        let down = fleet["collector-3"]
        down.kill()
        fleet.when({ fleet.record.phase == .promoted && fleet.clock.now > fleet.clock.start.addingTimeInterval(3_600) }) {
            // An hour after promotion was recorded: the old key must still work for the host that is down.
            if !fleet.cloud.accepts(old) { fleet.note("the old key stopped working while collector-3 was down") }
            down.restart()
        }
        let outcome = try await fleet["collector-1"].startLeader().value

        guard case .completed(_, let new) = outcome else { Issue.record("outcome \(outcome)"); return }
        #expect(fleet.violations.isEmpty, "\(fleet.violations)")
        #expect(down.rounds.contains { if case .caughtUp = $0 { true } else { false } })
        // A stale read of AWSCURRENT (its own version) changes nothing; a later round catches up.
        #expect(down.rounds.prefix { if case .caughtUp = $0 { false } else { true } }.count == staleCurrentReads)
        #expect(fleet.hosts.allSatisfy { $0.files.pair.accessKeyID == new })
        #expect(fleet.cloud.keyIDs == [new])
        #expect(fleet["collector-1"].events.all.contains(.hostMissing("collector-3")))
        #expect(!fleet["collector-1"].events.all.contains { if case .memberDropped = $0 { true } else { false } })
    }

    @Test("a host silent past member_grace is dropped with an event, the old key is retired, and the host refuses when it returns")
    func silentHostIsDropped() async throws {
        let fleet = FleetSimulation()
        let down = fleet["collector-3"]
        down.kill()
        let outcome = try await fleet["collector-1"].startLeader().value

        guard case .completed(let old, let new) = outcome else { Issue.record("outcome \(outcome)"); return }
        #expect(fleet.violations.isEmpty, "\(fleet.violations)")
        #expect(fleet["collector-1"].events.all.contains(.memberDropped("collector-3")))
        #expect(fleet.cloud.members["collector-3"]?.dropped == true)
        #expect(fleet.cloud.keyIDs == [new])
        #expect(fleet.clock.now.timeIntervalSince(fleet.clock.start) > FleetSimulation.policy.memberGrace)
        down.restart()
        try await fleet.run(for: 60)
        #expect(down.files.pair.accessKeyID == old)
        #expect(down.rounds.last.map { if case .refused = $0 { true } else { false } } == true)
    }

    @Test("a running host cut off from AWS refuses before the leader may drop it and retire its key")
    func partitionedHostRefusesBeforeItsKeyIsRetired() async throws {
        let fleet = FleetSimulation()
        let cut = fleet["collector-3"]
        cut.link.setCut(true)
        fleet.when({ fleet.cloud.writes.contains { $0.hasPrefix("deactivate") } }) {
            if !cut.rounds.contains(where: { if case .refused = $0 { true } else { false } }) {
                fleet.note("the old key was deactivated before the partitioned host refused")
            }
        }
        let outcome = try await fleet["collector-1"].startLeader().value

        guard case .completed = outcome else { Issue.record("outcome \(outcome)"); return }
        #expect(fleet.violations.isEmpty, "\(fleet.violations)")
        #expect(fleet.cloud.members["collector-3"]?.dropped == true)
        let refusal = cut.events.all.first { if case .refused = $0 { true } else { false } }
        #expect(refusal?.message.contains("heartbeat has not reached the fleet table") == true)
    }

    @Test("a member that fails to apply rolls the whole fleet back: every host on the old key, the new key deleted")
    func memberFailureRollsBack() async throws {
        let fleet = FleetSimulation()
        let old = fleet.cloud.initialPair.accessKeyID
        fleet["collector-3"].files.failNextApplies()
        let outcome = try await fleet["collector-1"].startLeader().value

        guard case .rolledBack(let rotation, let reason) = outcome else { Issue.record("outcome \(outcome)"); return }
        #expect(reason.contains("collector-3"))
        #expect(fleet.violations.isEmpty, "\(fleet.violations)")
        #expect(fleet.hosts.allSatisfy { $0.files.pair.accessKeyID == old })
        #expect(fleet.cloud.keyIDs == [old])
        #expect(fleet.cloud.stages == SecretStages(current: FleetSimulation.initialVersion))
        #expect(fleet.record.phase == .idle && fleet.record.rotation == nil && fleet.record.base == FleetSimulation.initialVersion)
        #expect(fleet["collector-1"].events.all.contains { if case .fleetRolledBack(rotation, _) = $0 { true } else { false } })
        // Hosts that had switched restored the old key.
        #expect(fleet.hosts.contains { $0.rounds.contains(.restored(FleetSimulation.initialVersion)) })

        // The fleet is not stuck: the next rotation completes.
        let next = try await fleet["collector-2"].startLeader().value
        guard case .completed = next else { Issue.record("second outcome \(next)"); return }
        #expect(fleet.violations.isEmpty, "\(fleet.violations)")
    }

    @Test("a registration is valid only for its rotation while pending: a host that registered, died, and came back after the rollback does not switch")
    func staleRegistrationIsVoid() async throws {
        let fleet = FleetSimulation()
        let old = fleet.cloud.initialPair.accessKeyID
        let late = fleet["collector-3"]
        // collector-3 registers, then dies before fetching the key; collector-2 fails to apply.
        late.crashSwitch.arm(atNext: "secret.read", .beforeEffect)
        fleet["collector-2"].files.failNextApplies()
        fleet.when({ fleet.record.phase == .rollback && !late.isRunning }) { late.restart() }
        let outcome = try await fleet["collector-1"].startLeader().value

        guard case .rolledBack(let rotation, _) = outcome else { Issue.record("outcome \(outcome)"); return }
        #expect(fleet.violations.isEmpty, "\(fleet.violations)")
        #expect(!late.events.all.contains { if case .applied = $0 { true } else { false } }, "\(late.events.all)")
        #expect(!late.rounds.contains(.applied(rotation)))
        #expect(late.files.pair.accessKeyID == old)
        #expect(fleet.cloud.members["collector-3"]?.state == MemberState(holds: FleetSimulation.initialVersion))
    }

    @Test("two hosts asked to rotate at once produce one rotation")
    func twoRequestsOneRotation() async throws {
        let fleet = FleetSimulation()
        // Both ask before either has the lease.
        let request = try await fleet["collector-1"].leader.rotationRequest()
        let first = try await fleet["collector-1"].startLeader(request)
        let second = try await fleet["collector-2"].startLeader(request)
        let outcomes = [try await first.value, try await second.value]

        #expect(fleet.violations.isEmpty, "\(fleet.violations)")
        #expect(fleet.cloud.writes.filter { $0.hasPrefix("create") }.count == 1)
        #expect(fleet.record.completedRotations == 1)
        #expect(fleet.cloud.keyIDs.count == 1)
        #expect(fleet.hosts.allSatisfy { $0.files.pair.accessKeyID == fleet.cloud.keyIDs.first })
        // One ran the rotation; the other waited for the lease and found its request satisfied.
        #expect(outcomes.filter { if case .completed = $0 { true } else { false } }.count == 1, "\(outcomes)")
        #expect(outcomes.contains(.nothingToDo), "\(outcomes)")
    }

    @Test("a host whose files hold a key the fleet does not know refuses loudly and writes nothing")
    func unknownKeyRefused() async throws {
        let fleet = FleetSimulation()
        let stranger = fleet["collector-2"]
        let other = try await FleetCloudConnection(cloud: fleet.cloud, crashSwitch: FakeCrashSwitch()).createKey(signedWith: fleet.cloud.initialPair)
        try await fleet.run(for: 60)
        try await stranger.files.apply(other)
        let before = fleet.cloud.members["collector-2"]?.state
        let round = try await stranger.member.pollOnce()

        guard case .refused(let reason) = round else { Issue.record("round \(round)"); return }
        #expect(reason.contains(other.accessKeyID.rawValue))
        #expect(!reason.contains(other.secretAccessKey.revealed()))
        #expect(fleet.cloud.members["collector-2"]?.state == before)
        #expect(stranger.events.all.contains { if case .refused("collector-2", _) = $0 { true } else { false } })
    }

    @Test("a use of the old key after promotion by something outside the fleet is reported before the key is deactivated")
    func oldKeyUsedAfterPromotion() async throws {
        let fleet = FleetSimulation()
        let old = fleet.cloud.initialPair
        fleet.when({ fleet.record.phase == .promoted }) { try? fleet.cloud.use(old, service: "s3") }
        let outcome = try await fleet["collector-1"].startLeader().value

        guard case .completed = outcome else { Issue.record("outcome \(outcome)"); return }
        let warning = fleet["collector-1"].events.all.first { if case .oldKeyUsedAfterPromotion(old.accessKeyID, _) = $0 { true } else { false } }
        #expect(warning?.message.contains("s3") == true)
    }

    @Test("a second key the fleet does not know stops the rotation before anything is created (a takeover would take it for the orphan)")
    func unknownSecondKeyRefusesToStart() async throws {
        let fleet = FleetSimulation()
        let stray = try await FleetCloudConnection(cloud: fleet.cloud, crashSwitch: FakeCrashSwitch()).createKey(signedWith: fleet.cloud.initialPair)
        let outcome = try await fleet["collector-1"].startLeader().value

        guard case .refused(let reason) = outcome else { Issue.record("outcome \(outcome)"); return }
        #expect(reason.contains(stray.accessKeyID.rawValue))
        #expect(fleet.cloud.writes == ["create \(stray.accessKeyID)"])
        #expect(fleet.record.phase == .idle && fleet.record.sequence == 0)
        #expect(fleet.cloud.lease.owner == nil)
    }

    @Test("STATUS names the hosts the leader waits for")
    func waitingStatus() {
        let event = FleetEvent.waitingForHosts(waiting: ["collector-2", "collector-3"], total: 3)
        #expect(event.message == "fleet: waiting for 2 of 3 hosts (collector-2, collector-3)")
    }
}
