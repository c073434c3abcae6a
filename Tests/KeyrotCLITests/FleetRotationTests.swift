import Foundation
import KeyrotCore
import KeyrotTestSupport
import Testing

/// Fleet mode end to end (issue 13): three `keyrotd run` processes on one machine, each with its
/// own files, state directory and host_id, against one moto with authentication on (IAM, STS,
/// Secrets Manager, DynamoDB). At every look, every running host's files hold an Active key.
@Suite("fleet mode: three keyrotd run processes against moto", .enabled(if: Repository.shouldRunIntegration, Comment(rawValue: Repository.skipReason)),
       .serialized)
struct FleetRotationTests {
    static let all = ["collector-1", "collector-2", "collector-3"]

    @Test("a rotation on 3 hosts switches every host's files; the old key is deleted only after all acknowledged")
    func threeHostRotation() async throws {
        try await FleetSite.with { fleet in
            let old = try #require(fleet.heldKey("collector-1"))
            let daemons = try Self.all.map { try fleet.start($0) }
            defer { daemons.forEach { $0.stop() } }
            try await fleet.waitUntil("every host's first round", running: Self.all) {
                daemons.allSatisfy { $0.output.contains("keyrotd started") }
            }
            let started = ContinuousClock.now
            let asked = try await fleet.hosts["collector-2"]!.keyrotd("rotate-now")
            #expect(asked.status == 0, "\(asked)")
            try await fleet.waitUntil("every host on a new key and the old one deleted", running: Self.all) {
                let keys = try await fleet.keys().keys.sorted()
                let new = fleet.heldKey("collector-1")
                return new != old && new != nil && fleet.allHold(new!, Self.all) && keys == [new!]
            }
            let elapsed = ContinuousClock.now - started
            print("figure: 3-host fleet rotation on moto (poll 1 s, overlap 2 s, grace 2 s): \(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))")
            let leader = try #require(daemons.first { $0.output.contains("took the lease") }, "\(fleet.logs())")
            let log = leader.output
            let deleted = try #require(log.range(of: "fleet: \(old) deleted"), "\(log)")
            for host in Self.all {
                let acknowledged = try #require(log.range(of: "fleet: \(host) acknowledged"), "\(log)")
                #expect(acknowledged.lowerBound < deleted.lowerBound, "\(host) acknowledged before \(old) was deleted")
            }
            #expect(log.contains("fleet: waiting for 3 of 3 hosts"), "the STATUS text names the hosts it waits for")
            #expect(daemons.filter { $0.output.contains("took the lease") }.count == 1, "one leader")
            let leaderHost = Self.all[try #require(daemons.firstIndex { $0 === leader })]
            // The leader writes it once its run returns, just after the deletion the wait above saw.
            try await fleet.waitUntil("the leader's metrics_file counting the rotation", seconds: 10, running: Self.all) {
                let metrics = (try? String(contentsOfFile: fleet.hosts[leaderHost]!.path("keyrotd.prom"), encoding: .utf8)) ?? ""
                return metrics.contains(#"keyrotd_rotations_total{result="completed"} 1"#)
            }
            let status = try await fleet.hosts["collector-3"]!.keyrotd("fleet", "status", "--json")
            #expect(status.status == 0, "\(status)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any], "\(status)")
            let members = try #require(object["members"] as? [[String: Any]], "\(status)")
            let current = try #require((object["secret"] as? [String: Any])?["versions"] as? [String: [String]]).first { $0.value.contains("AWSCURRENT") }?.key
            #expect(members.map { $0["host"] as? String } == Self.all, "\(status)")
            #expect(members.allSatisfy { $0["holds"] as? String == current && $0["dropped"] as? Bool == false }, "\(status)")
            #expect(!status.output.contains(fleet.moto.secretAccessKey))
            for daemon in daemons {
                #expect(!daemon.output.contains(fleet.moto.secretAccessKey), "a daemon logged the secret access key")
            }
        }
    }

    @Test("keyrotd rotate in a fleet refuses and changes nothing: only the lease holder may rotate")
    func foregroundRotateRefused() async throws {
        try await RotationSite.with(fleet: .host) { site in
            try site.writeConfiguration(fleet: FleetSite.section(host: "collector-1"))
            let before = try site.snapshot()
            let result = try await site.keyrotd("rotate", "--force")
            #expect(result.status == 78, "\(result)")
            #expect(result.stderr.contains("keyrotd rotate-now"), "\(result)")
            #expect(try site.snapshot() == before)
            #expect(try await site.moto.keys().map(\.id) == [site.moto.accessKeyID], "no key created")
        }
    }

    @Test("a daemon started on a host that has not joined refuses and says to join; after `keyrotd fleet join` it takes part")
    func daemonBeforeJoin() async throws {
        try await FleetSite.with(hosts: ["collector-1", "collector-2"]) { fleet in
            let site = fleet.hosts["collector-2"]!
            let late = fleet.directory.appending(path: "collector-9")
            try FileManager.default.createDirectory(at: late, withIntermediateDirectories: true)
            let newcomer = RotationSite(directory: late, moto: fleet.moto, configPath: late.appending(path: "keyrotd.yml").path)
            try newcomer.writeFiles()
            try newcomer.writeConfiguration(overlap: "2s", grace: "2s", fleet: FleetSite.section(host: "collector-9"))
            let daemon = try BackgroundKeyrotd(["run"], site: newcomer)
            defer { daemon.stop() }
            try await daemon.waitUntil("the refusal") { daemon.output.contains("is not a member of the fleet; run `keyrotd fleet join`") }
            let joined = try await newcomer.keyrotd("fleet", "join")
            #expect(joined.status == 0 && joined.stdout.contains("host collector-9 joined the fleet"), "\(joined)")
            let status = try await site.keyrotd("fleet", "status")
            #expect(status.stdout.contains("member collector-9: holds"), "\(status)")
            let before = try #require(status.stdout.split(separator: "\n").first { $0.hasPrefix("member collector-9") })
            // A heartbeat every poll_interval: the member's line changes once the daemon takes part.
            var heartbeats = false
            for _ in 0..<20 where !heartbeats {
                try await Task.sleep(for: .milliseconds(500))
                let again = try await site.keyrotd("fleet", "status")
                heartbeats = again.stdout.split(separator: "\n").first { $0.hasPrefix("member collector-9") } != before
            }
            #expect(heartbeats, "the daemon heartbeats after the join, without a restart\n\(daemon.output)")
        }
    }

    @Test("a host stopped during the rotation keeps the old key Active, catches up when started, then the old key is retired")
    func hostDownCatchesUp() async throws {
        try await FleetSite.with { fleet in
            let old = try #require(fleet.heldKey("collector-1"))
            let running = ["collector-1", "collector-2"]
            var daemons = try running.map { try fleet.start($0) }
            defer { daemons.forEach { $0.stop() } }
            // collector-3 joined but never heartbeats: down once member_timeout (4 s) passed.
            try await Task.sleep(for: .seconds(5))
            let asked = try await fleet.hosts["collector-1"]!.keyrotd("rotate-now")
            #expect(asked.status == 0, "\(asked)")
            try await fleet.waitUntil("the new key promoted without collector-3", running: running) {
                daemons[0].output.contains("is AWSCURRENT")
            }
            let new = try #require(fleet.heldKey("collector-1"))
            #expect(new != old && fleet.allHold(new, running))
            #expect(daemons[0].output.contains("collector-3 is down"), "hostMissing announced")
            // Past overlap and grace: the old key must stay Active while collector-3's files hold it.
            try await Task.sleep(for: .seconds(6))
            try await fleet.checkInvariant(running: running)
            let keysNow = try await fleet.keys()
            #expect(keysNow[old] == .active, "the old key stays Active for the host that is down")
            #expect(fleet.heldKey("collector-3") == old)

            daemons.append(try fleet.start("collector-3"))
            try await fleet.waitUntil("collector-3 caught up and the old key deleted", running: Self.all) {
                let keys = try await fleet.keys().keys.sorted()
                return fleet.allHold(new, Self.all) && keys == [new]
            }
            #expect(daemons[2].output.contains("catching up from AWSCURRENT"), "\(fleet.logs())")
        }
    }

    @Test("two hosts asked to rotate at once produce one rotation")
    func twoRequestsOneRotation() async throws {
        try await FleetSite.with { fleet in
            let old = try #require(fleet.heldKey("collector-1"))
            let daemons = try Self.all.map { try fleet.start($0) }
            defer { daemons.forEach { $0.stop() } }
            try await fleet.waitUntil("every host's first round", running: Self.all) {
                daemons.allSatisfy { $0.output.contains("keyrotd started") }
            }
            async let first = fleet.hosts["collector-1"]!.keyrotd("rotate-now")
            async let second = fleet.hosts["collector-2"]!.keyrotd("rotate-now")
            let results = try await [first, second]
            #expect(results.allSatisfy { $0.status == 0 }, "\(results)")
            try await fleet.waitUntil("every host on a new key, the old one deleted", running: Self.all) {
                let keys = try await fleet.keys().keys.sorted()
                return keys.count == 1 && keys[0] != old && fleet.allHold(keys[0], Self.all)
            }
            try await Task.sleep(for: .seconds(4))  // a second rotation would have started by now
            let started = daemons.map { $0.output.components(separatedBy: "fleet: rotation ").count - 1 }.reduce(0, +)
            #expect(started == 2, "one 'rotation 1 started' and one 'rotation completed' in all the logs\n\(fleet.logs())")
            let keys = try await fleet.keys()
            #expect(keys.count == 1, "no second rotation: \(keys)")
        }
    }

    @Test("rotate-now on a host while another leads is satisfied by that rotation: no second one")
    func requestDuringAnotherRotation() async throws {
        try await FleetSite.with { fleet in
            let daemons = try Self.all.map { try fleet.start($0) }
            defer { daemons.forEach { $0.stop() } }
            try await fleet.waitUntil("every host's first round", running: Self.all) {
                daemons.allSatisfy { $0.output.contains("keyrotd started") }
            }
            let asked = try await fleet.hosts["collector-1"]!.keyrotd("rotate-now")
            #expect(asked.status == 0, "\(asked)")
            try await fleet.waitUntil("AWSPENDING published", running: Self.all) { daemons[0].output.contains("published as AWSPENDING") }
            try await Task.sleep(for: .milliseconds(1_500))  // collector-2 now follows the rotation in its run
            let second = try await fleet.hosts["collector-2"]!.keyrotd("rotate-now")
            #expect(second.status == 0, "\(second)")
            try await fleet.waitUntil("the rotation completed", running: Self.all) { daemons[0].output.contains("rotation completed") }
            try await Task.sleep(for: .seconds(5))
            let all = daemons.map(\.output).joined()
            #expect(!all.contains("rotation 2 started"), "\(fleet.logs())")
            let keys = try await fleet.keys()
            #expect(keys.count == 1, "\(keys)")
        }
    }

    @Test("a host silent past member_grace is dropped and the old key retired; started again it refuses and says to join")
    func silentHostDropped() async throws {
        try await FleetSite.with(memberGrace: "10s") { fleet in
            let old = try #require(fleet.heldKey("collector-1"))
            let running = ["collector-1", "collector-2"]
            var daemons = try running.map { try fleet.start($0) }
            defer { daemons.forEach { $0.stop() } }
            try await Task.sleep(for: .seconds(5))
            let asked = try await fleet.hosts["collector-1"]!.keyrotd("rotate-now")
            #expect(asked.status == 0, "\(asked)")
            try await fleet.waitUntil("collector-3 dropped and the old key deleted", running: running) {
                let keys = try await fleet.keys().keys.sorted()
                return keys.count == 1 && keys[0] != old && fleet.allHold(keys[0], running)
            }
            #expect(daemons[0].output.contains("collector-3 was silent past member_grace and is dropped"), "\(fleet.logs())")
            daemons.append(try fleet.start("collector-3"))
            try await fleet.waitUntil("collector-3 refuses", running: running) { daemons[2].output.contains("refuses to run") }
            #expect(daemons[2].output.contains("keyrotd fleet join"), "\(daemons[2].output)")
            #expect(fleet.heldKey("collector-3") == old, "its files are left alone")
        }
    }

    @Test("one host whose verify_command fails rolls the whole fleet back; no host is left on a dead key")
    func failingHostRollsBack() async throws {
        try await FleetSite.with(extra: ["collector-3": "verify_command: [\"/bin/false\"]\n"]) { fleet in
            let old = try #require(fleet.heldKey("collector-1"))
            let daemons = try Self.all.map { try fleet.start($0) }
            defer { daemons.forEach { $0.stop() } }
            try await fleet.waitUntil("every host's first round", running: Self.all) {
                daemons.allSatisfy { $0.output.contains("keyrotd started") }
            }
            let asked = try await fleet.hosts["collector-1"]!.keyrotd("rotate-now")
            #expect(asked.status == 0, "\(asked)")
            try await fleet.waitUntil("the rollback done: every host on the old key, the new key deleted", running: Self.all) {
                let keys = try await fleet.keys().keys.sorted()
                return daemons[0].output.contains("rolled back") && fleet.allHold(old, Self.all) && keys == [old]
            }
            #expect(daemons[0].output.contains("collector-3 failed to apply the new key"), "\(fleet.logs())")
            #expect(daemons[2].output.contains("verify_command /bin/false exited with status 1"), "\(fleet.logs())")
            let keysNow = try await fleet.keys()
            #expect(keysNow[old] == .active)
        }
    }

    /// The leader's log line after which it is SIGKILLed: after the key is created (a takeover rolls
    /// back), after AWSPENDING (it waits for the acknowledgements and promotes), after promotion
    /// (it retires the old key once the killed host caught up).
    static let leaderKillPoints = ["new access key", "published as AWSPENDING", "is AWSCURRENT"]

    @Test("the leader SIGKILLed mid-rotation is taken over after the lease expires; the fleet ends on one working key",
          arguments: leaderKillPoints)
    func leaderKilled(after line: String) async throws {
        try await leaderStops(after: line, signal: SIGKILL)
    }

    @Test("the leader stopped with SIGTERM while waiting for acknowledgements exits 0 promptly; another host finishes")
    func leaderStoppedWhileWaiting() async throws {
        try await leaderStops(after: "published as AWSPENDING", signal: SIGTERM)
    }

    private func leaderStops(after line: String, signal: Int32) async throws {
        try await FleetSite.with { fleet in
            var daemons = try Self.all.map { try fleet.start($0) }
            defer { daemons.forEach { $0.stop() } }
            try await fleet.waitUntil("every host's first round", running: Self.all) {
                daemons.allSatisfy { $0.output.contains("keyrotd started") }
            }
            let asked = try await fleet.hosts["collector-1"]!.keyrotd("rotate-now")
            #expect(asked.status == 0, "\(asked)")
            try await fleet.waitUntil("the leader's '\(line)'", running: Self.all) { daemons[0].output.contains(line) }
            daemons[0].signal(signal)
            let status = try await daemons[0].exitStatus(within: 25)
            #expect(status == (signal == SIGKILL ? 128 + SIGKILL : 0), "\(daemons[0].output)")
            let survivors = ["collector-2", "collector-3"]
            try await fleet.waitUntil("another host took the lease over", running: survivors) {
                daemons[1...].contains { $0.output.contains("resumes the rotation") }
            }
            // The killed host's files hold the old key or the new one: either stays Active until it is back.
            // Past overlap and grace: nothing the killed host's files hold may be retired meanwhile.
            for _ in 0..<16 {
                try await fleet.checkInvariant(running: Self.all)
                try await Task.sleep(for: .milliseconds(500))
            }
            daemons.append(try fleet.start("collector-1", name: "keyrotd-restarted"))
            try await fleet.waitUntil("every host on one key, the only key left", running: Self.all) {
                let keys = try await fleet.keys().keys.sorted()
                return keys.count == 1 && fleet.allHold(keys[0], Self.all)
            }
        }
    }

    @Test("a member SIGKILLed while rewriting its files puts them back at the next start, catches up, and the old key is retired after it")
    func memberKilledMidApply() async throws {
        try await FleetSite.with { fleet in
            let old = try #require(fleet.heldKey("collector-1"))
            let victim = fleet.hosts["collector-3"]!
            let firstFile = victim.path(RotationSite.files[0].name)
            var daemons = try ["collector-1", "collector-2"].map { try fleet.start($0) }
            daemons.append(try BackgroundKeyrotd(["run"], site: victim, environment: ["KEYROTD_DEBUG_KILL_AT": "fleet-switch:rewrote:\(firstFile)"]))
            defer { daemons.forEach { $0.stop() } }
            try await fleet.waitUntil("every host's first round", running: Self.all) {
                daemons.allSatisfy { $0.output.contains("keyrotd started") }
            }
            let asked = try await fleet.hosts["collector-1"]!.keyrotd("rotate-now")
            #expect(asked.status == 0, "\(asked)")
            let status = try await daemons[2].exitStatus(within: 30)
            #expect(status == 128 + SIGKILL, "collector-3 killed itself after rewriting its first file\n\(daemons[2].output)")
            let keysInFiles = Set(fleet.keysInFiles("collector-3").values)
            #expect(keysInFiles.count == 2 && keysInFiles.contains(old), "killed mid-switch: \(keysInFiles)")
            try await fleet.checkInvariant(running: ["collector-3"])
            try await fleet.waitUntil("the others promoted without collector-3", running: ["collector-1", "collector-2"]) {
                daemons[0].output.contains("is AWSCURRENT")
            }
            try await Task.sleep(for: .seconds(5))
            try await fleet.checkInvariant(running: Self.all)
            daemons.append(try fleet.start("collector-3", name: "keyrotd-restarted"))
            try await fleet.waitUntil("collector-3 recovered and caught up, the old key deleted", running: Self.all) {
                let keys = try await fleet.keys().keys.sorted()
                return keys.count == 1 && keys[0] != old && fleet.allHold(keys[0], Self.all)
            }
        }
    }
}
