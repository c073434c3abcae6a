import Foundation
import IAMClient
import KeyrotCore
import KeyrotTestSupport
import Synchronization
import Testing

/// Several fleet hosts on one machine sharing one moto (authentication on): each host a
/// ``RotationSite`` of its own (its four files, keyrotd.yml, state directory, `host_id`), after
/// `keyrotd fleet init` and `keyrotd fleet join` on each. Short durations, so that a rotation
/// takes seconds: lease 3 s, poll 1 s, member_timeout 4 s, overlap and grace 2 s.
struct FleetSite {
    let directory: URL
    let moto: MotoEmulator
    let hosts: [String: RotationSite]
    let iam: IAMClient

    static func section(host: String, memberGrace: String = "1h") -> String {
        """
          secret_id: keyrotd/fleet
          lock_table: keyrotd-fleet
          host_id: \(host)
          lease_duration: 3s
          poll_interval: 1s
          member_timeout: 4s
          ack_timeout: 60s
          member_grace: \(memberGrace)

        """
    }

    /// - Parameter extra: more top-level settings per host (e.g. a `verify_command` that fails).
    static func with(hosts names: [String] = ["collector-1", "collector-2", "collector-3"], extra: [String: String] = [:],
                     memberGrace: String = "1h", _ body: (FleetSite) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "keyrotd-fleet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let moto = try await MotoEmulator.up(in: directory.appending(path: "moto"), fleet: .hostAndInit)
        do {
            var hosts: [String: RotationSite] = [:]
            for name in names {
                let hostDirectory = directory.appending(path: name)
                try FileManager.default.createDirectory(at: hostDirectory, withIntermediateDirectories: true)
                let site = RotationSite(directory: hostDirectory, moto: moto, configPath: hostDirectory.appending(path: "keyrotd.yml").path)
                try site.writeFiles()
                try site.writeConfiguration(overlap: "2s", grace: "2s", fleet: section(host: name, memberGrace: memberGrace), extra: extra[name] ?? "")
                hosts[name] = site
            }
            let url = try #require(URL(string: moto.endpoint))
            let iam = IAMClient(endpoints: try IAMEndpoints.configured(partition: .aws, region: "us-east-1", iamURL: url, stsURL: url))
            let fleet = FleetSite(directory: directory, moto: moto, hosts: hosts, iam: iam)
            let initialized = try await hosts[names[0]]!.keyrotd("fleet", "init")
            try #require(initialized.status == 0, "\(initialized)")
            for name in names {
                let joined = try await hosts[name]!.keyrotd("fleet", "join")
                try #require(joined.status == 0, "\(joined)")
            }
            try await body(fleet)
        } catch {
            await moto.down()
            throw error
        }
        await moto.down()
    }

    /// Starts `keyrotd run` on `host` (its log: `<host>/<name>.log`).
    func start(_ host: String, name: String = "keyrotd") throws -> BackgroundKeyrotd {
        try BackgroundKeyrotd(["run"], site: hosts[host]!, name: name)
    }

    /// The key id every file of `host` holds; nil when the files disagree or hold none.
    func heldKey(_ host: String) -> String? {
        let ids = Set(keysInFiles(host).values)
        return ids.count == 1 ? ids.first : nil
    }

    /// The key id in each file of `host` (mid-switch, files may differ: each must still work).
    func keysInFiles(_ host: String) -> [String: String] {
        let site = hosts[host]!
        var found: [String: String] = [:]
        for file in RotationSite.files {
            let text = (try? String(contentsOfFile: site.path(file.name), encoding: .utf8)) ?? ""
            found[file.name] = text.firstMatch(of: /AKIA[A-Z0-9]{16}/).map { String($0.output) } ?? "no key"
        }
        return found
    }

    /// The user's keys and their status, listed with the admin key.
    func keys() async throws -> [String: AccessKeyStatus] {
        let listed = try await iam.listAccessKeys(userName: moto.user, credentials: moto.adminCredentials)
        return Dictionary(uniqueKeysWithValues: listed.map { ($0.keyID.rawValue, $0.status) })
    }

    /// Every `host` holds `key` in all its files.
    func allHold(_ key: String, _ hosts: [String]) -> Bool { hosts.allSatisfy { heldKey($0) == key } }

    /// Polls until `condition` holds, checking at every look that every running host's files hold
    /// one key that IAM lists as Active (moto accepts Inactive keys; real IAM does not).
    func waitUntil(_ what: String, seconds: Double = 60, running: [String], sourceLocation: SourceLocation = #_sourceLocation,
                   _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            try await checkInvariant(running: running, sourceLocation: sourceLocation)
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out after \(seconds) s waiting for \(what)\n\(logs())", sourceLocation: sourceLocation)
        throw CancellationError()
    }

    func checkInvariant(running: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        var keys = try await keys()
        let held = Set(running.flatMap { keysInFiles($0).values })
        if !held.allSatisfy({ keys[$0] == .active }) {
            // Once, every file of every host was reported on a key missing from a ListAccessKeys
            // answered while another thread of moto deleted a key: look again before judging (a
            // retired key a host still holds stays missing).
            try await Task.sleep(for: .milliseconds(200))
            keys = try await self.keys()
        }
        for host in running {
            for (file, held) in keysInFiles(host) {
                #expect(keys[held] == .active, "\(host)/\(file) holds \(held), which is not an Active key (keys: \(keys))",
                        sourceLocation: sourceLocation)
            }
        }
    }

    func logs() -> String {
        hosts.keys.sorted().map { host in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: hosts[host]!.directory.path))?.filter { $0.hasSuffix(".log") } ?? []
            return names.sorted().map { "== \(host)/\($0)\n" + ((try? String(contentsOfFile: hosts[host]!.path($0), encoding: .utf8)) ?? "") }
                .joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
