import FleetCoordination
import Foundation
import KeyrotCore
import KeyrotTestSupport
import Synchronization

/// Three (or more) hosts sharing one key through an in-memory cloud, on simulated time. Every
/// running host does a member round at every tick; a leader runs as a task of its host. After
/// every call any host makes, and after every tick, the invariants are checked:
/// - every running host that is not dropped holds a key that works (exists, Active, propagated);
/// - at most one rotation in flight: the files of the hosts not dropped hold at most two keys;
/// - (in the cloud, at each deactivation and deletion) no host that is not dropped, running or
///   down, holds the retired key: the old key is never retired while an unacknowledged member is
///   within its grace.
final class FleetSimulation: Sendable {
    static let policy = FleetPolicy(host: "template", leaseDuration: 60, pollInterval: 30, memberTimeout: 120, ackTimeout: 600,
                                    memberGrace: 7_200, propagationTimeout: 300, overlap: 600, grace: 600)

    static let initialVersion = InMemoryFleetCloud.initialVersion

    struct Trigger {
        let condition: @Sendable () -> Bool
        let action: @Sendable () -> Void
    }

    let clock: SimulatedFleetClock
    let cloud: InMemoryFleetCloud
    let hosts: [SimulatedHost]
    private let triggers = Mutex<[Trigger]>([])
    private let problems = Mutex<[String]>([])

    init(hostNames: [HostID] = ["collector-1", "collector-2", "collector-3"], propagationDelay: TimeInterval = 45, staleCurrentReads: Int = 0) {
        let clock = SimulatedFleetClock(tick: Self.policy.pollInterval)
        let cloud = InMemoryFleetCloud(clock: clock, initialKeyCreatedAt: clock.now.addingTimeInterval(-100 * 86_400),
                                       propagationDelay: propagationDelay, staleCurrentReads: staleCurrentReads)
        self.clock = clock
        self.cloud = cloud
        hosts = hostNames.map { name in
            var policy = Self.policy
            policy.host = name
            cloud.join(name)
            return SimulatedHost(policy: policy, cloud: cloud, clock: clock)
        }
        let hosts = hosts
        cloud.setHoldings { Dictionary(uniqueKeysWithValues: hosts.map { ($0.id, $0.files.pair.accessKeyID) }) }
        cloud.setObserver { [weak self] in self?.checkInvariants() }
        clock.setOnTick { [weak self] in await self?.tick() }
    }

    subscript(_ id: HostID) -> SimulatedHost { hosts.first { $0.id == id }! }

    /// Every invariant violation seen so far, the cloud's included.
    var violations: [String] { problems.withLock { $0 } + cloud.violations }

    var record: FleetRotationRecord { cloud.lease.record }

    /// Runs `action` once, at the first tick where `condition` holds.
    func when(_ condition: @escaping @Sendable () -> Bool, _ action: @escaping @Sendable () -> Void) {
        triggers.withLock { $0.append(Trigger(condition: condition, action: action)) }
    }

    /// Lets `seconds` of simulated time pass (member rounds at every tick).
    func run(for seconds: TimeInterval) async throws {
        let end = clock.now.addingTimeInterval(seconds)
        try await clock.participating { try await clock.sleep(until: end) }
    }

    private func tick() async {
        for host in hosts where host.isRunning {
            if let failure = await host.memberRound() { note(failure) }
        }
        checkInvariants()
        let due = triggers.withLock { triggers in
            var due: [Trigger] = []
            var waiting: [Trigger] = []
            for trigger in triggers {
                if trigger.condition() { due.append(trigger) } else { waiting.append(trigger) }
            }
            triggers = waiting
            return due
        }
        for trigger in due { trigger.action() }
    }

    /// Records a violation a scenario found itself.
    func note(_ problem: String) {
        problems.withLock { $0.append("\(stamp) \(problem)") }
    }

    func checkInvariants() {
        let members = cloud.members
        let inFleet = hosts.filter { members[$0.id]?.dropped != true }
        var found: [String] = []
        for host in inFleet where host.isRunning && !cloud.accepts(host.files.pair) {
            found.append("\(stamp) \(host.id) runs with \(host.files.pair.accessKeyID), which does not work")
        }
        let keys = Set(inFleet.map(\.files.pair.accessKeyID))
        if keys.count > 2 { found.append("\(stamp) the hosts hold \(keys.count) different keys: more than one rotation in flight") }
        if !found.isEmpty { problems.withLock { $0 += found } }
    }

    private var stamp: String { "t+\(Int(clock.now.timeIntervalSince(clock.start)))s" }
}

/// One host: its files, crash switch, events, member role and leader role.
final class SimulatedHost: Sendable {
    let id: HostID
    let crashSwitch = FakeCrashSwitch()
    let files: InMemoryHostFiles
    let events = RecordingFleetEvents()
    let link = FleetLink()
    let member: FleetMember
    let leader: FleetLeader
    private let state = Mutex<(rounds: [FleetMemberRound], leaderTask: Task<FleetLeaderOutcome, any Error>?)>(([], nil))

    private let clock: SimulatedFleetClock

    init(policy: FleetPolicy, cloud: InMemoryFleetCloud, clock: SimulatedFleetClock) {
        id = policy.host
        self.clock = clock
        let connection = FleetCloudConnection(cloud: cloud, crashSwitch: crashSwitch, link: link)
        files = InMemoryHostFiles(holding: cloud.initialPair, cloud: cloud, crashSwitch: crashSwitch)
        let ports = FleetPorts(secret: connection, table: connection, keys: connection, files: files, clock: clock, events: events)
        member = FleetMember(policy: policy, ports: ports)
        leader = FleetLeader(policy: policy, ports: ports)
    }

    /// Not killed (a killed host's calls all fail, as a dead process makes none).
    var isRunning: Bool { !crashSwitch.isKilled }
    var rounds: [FleetMemberRound] { state.withLock { $0.rounds } }

    /// One member round. A round ended by this host's death or a cut link is expected; any other
    /// failure is returned, for the simulation to report.
    func memberRound() async -> String? {
        do {
            let round = try await member.pollOnce()
            state.withLock { $0.rounds.append(round) }
            return nil
        } catch is FakeCrashSwitch.Killed {
            return nil
        } catch let error as FleetPortError where error.code == .unreachable && link.isCut {
            return nil
        } catch {
            return "\(id)'s member round failed: \(error)"
        }
    }

    /// Starts the leader role on `request` (by default: rotate now) as a task of this host, which
    /// takes part in the simulated time from now on.
    @discardableResult
    func startLeader(_ request: FleetRotationRequest? = nil) async throws -> Task<FleetLeaderOutcome, any Error> {
        let asked: FleetRotationRequest
        if let request { asked = request } else { asked = try await leader.rotationRequest() }
        clock.join()
        let (leader, clock) = (leader, clock)
        let task = Task {
            do {
                let outcome = try await leader.run(asked)
                await clock.leave()
                return outcome
            } catch {
                await clock.leave()
                throw error
            }
        }
        state.withLock { $0.leaderTask = task }
        return task
    }

    /// The process dies: every later call fails, its leader task is abandoned.
    func kill() {
        crashSwitch.kill()
        state.withLock { $0.leaderTask?.cancel() }
    }

    /// A new process on the same files.
    func restart() {
        crashSwitch.revive()
    }
}
