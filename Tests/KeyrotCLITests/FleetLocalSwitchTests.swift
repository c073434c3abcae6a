import CredentialFiles
import FleetCoordination
import Foundation
import KeyrotCore
import KeyrotTestSupport
import RotationEngine
import Synchronization
import Testing
@testable import KeyrotCLI

/// The fleet member's local switch over real files (ConfiguredFileStore): switch, verify, put
/// back on failure, restore on a fleet rollback, and recovery at the next start of a member killed
/// at any point of an apply (a kill is simulated by parking the apply at that point for ever and
/// starting a new switch on the same files and state directory, as a new process would).
@Suite struct FleetLocalSwitchTests {
    static let old = Credentials(accessKeyID: try! AccessKeyID("AKIAOLDOLDOLDOLD0001"), secretAccessKey: Secret("old/secret/0123456789abcdefghijklmnopqrstu"))
    static let new = Credentials(accessKeyID: try! AccessKeyID("AKIANEWNEWNEWNEW0002"), secretAccessKey: Secret("new/secret/0123456789abcdefghijklmnopqrstu"))

    /// Two configured files holding `old`, a state directory, and parked applies.
    final class Host: Sendable {
        let directory: URL
        let specs: [CredentialFileSpec]
        let verifier = FakeRotationVerifier(crashSwitch: FakeCrashSwitch())
        let points = Mutex<[String]>([])
        let parked = Mutex<[CheckedContinuation<Void, Never>]>([])

        init() throws {
            directory = FileManager.default.temporaryDirectory.appending(path: "keyrotd-fleet-switch-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory.appending(path: "state"), withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            specs = [CredentialFileSpec(path: directory.appending(path: "credentials").path, format: .awsCredentials),
                     CredentialFileSpec(path: directory.appending(path: "app.env").path, format: .env)]
            try Data("[default]\naws_access_key_id = \(old.accessKeyID)\naws_secret_access_key = \(old.secretAccessKey.revealed())\n".utf8)
                .write(to: URL(fileURLWithPath: specs[0].path))
            restarter = FakeConsumerRestarter(crashSwitch: FakeCrashSwitch(), units: ["a.service", "b.service"],
                                              runningKey: old.accessKeyID) { [path = specs[0].path] in
                let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
                return [old.accessKeyID, new.accessKeyID].first { text.contains($0.rawValue) }
            }
            try Data("# app\nAWS_ACCESS_KEY_ID=\(old.accessKeyID)\nAWS_SECRET_ACCESS_KEY=\(old.secretAccessKey.revealed())\nOTHER=1\n".utf8)
                .write(to: URL(fileURLWithPath: specs[1].path))
        }

        var stateDirectory: String { directory.appending(path: "state").path }

        /// Two consumers that read the first file at start, both running `old`.
        let restarter: FakeConsumerRestarter

        /// A switch as a process would make it; `killAt` parks it for ever at that point.
        func makeSwitch(killAt: String? = nil, restarting units: [String] = []) -> FleetLocalSwitch {
            FleetLocalSwitch(paths: specs.map(\.path), store: ConfiguredFileStore(files: specs, stateDirectory: stateDirectory),
                             verifier: verifier,
                             consumers: units.isEmpty ? nil : .init(units: units, restarter: restarter),
                             stateDirectory: stateDirectory, checkWorks: { _ in },
                             reached: { [self] point in
                                 points.withLock { $0.append(point) }
                                 guard point == killAt else { return }
                                 await withCheckedContinuation { continuation in self.parked.withLock { $0.append(continuation) } }
                             })
        }

        func contents() throws -> [Data] { try specs.map { try Data(contentsOf: URL(fileURLWithPath: $0.path)) } }
        var recordExists: Bool { FileManager.default.fileExists(atPath: FleetSwitchRecord.path(in: stateDirectory)) }
        var backups: [String] { (try? FileManager.default.contentsOfDirectory(atPath: stateDirectory + "/backups")) ?? [] }

        deinit { try? FileManager.default.removeItem(at: directory) }
    }

    @Test("apply switches every file and keeps 0600 backups for a rollback; restore puts them back byte for byte")
    func applyThenRestore() async throws {
        let host = try Host()
        let before = try host.contents()
        let files = host.makeSwitch()
        try await files.apply(Self.new)
        #expect(try await files.heldPair() == Self.new)
        #expect(host.verifier.passes == 1)
        #expect(host.recordExists)
        let record = try #require(try FleetSwitchRecord.load(from: host.stateDirectory))
        #expect(record.stage == .switched && record.from == Self.old.accessKeyID && record.to == Self.new.accessKeyID)
        let recordText = try String(contentsOfFile: FleetSwitchRecord.path(in: host.stateDirectory), encoding: .utf8)
        #expect(!recordText.contains(Self.old.secretAccessKey.revealed()) && !recordText.contains(Self.new.secretAccessKey.revealed()), "no secret in the record")
        for backup in host.backups {
            let mode = try FileManager.default.attributesOfItem(atPath: host.stateDirectory + "/backups/" + backup)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(backup)")
        }

        try await files.restore(expecting: Self.old.accessKeyID)
        #expect(try host.contents() == before)
        #expect(!host.recordExists && host.backups.isEmpty)
    }

    @Test("a verify_command that fails puts every file back and throws; nothing is left behind")
    func failedVerifyPutsBack() async throws {
        let host = try Host()
        let before = try host.contents()
        host.verifier.inject(RotationPortError(.failed, "verify_command exited with status 1"))
        let error = await #expect(throws: FleetPortError.self) { try await host.makeSwitch().apply(Self.new) }
        #expect(error?.code == .failed)
        #expect(error?.message.contains("put back to \(Self.old.accessKeyID)") == true, "\(String(describing: error))")
        #expect(try host.contents() == before)
        #expect(!host.recordExists && host.backups.isEmpty)
    }

    @Test("a member killed at any point of an apply has its files put back at the next start", arguments: [
        "backed-up", "rewrote:0", "rewrote:1", "restored:0",
    ])
    func killedMidApplyRecovers(point: String) async throws {
        let host = try Host()
        let before = try host.contents()
        if point == "restored:0" {
            // Killed while putting back after a failed verification.
            host.verifier.inject(RotationPortError(.failed, "verify_command exited with status 1"))
        }
        let killAt = Self.named(point, host)
        let dying = host.makeSwitch(killAt: killAt)
        Task { try? await dying.apply(Self.new) }
        while !host.points.withLock({ $0.contains(killAt) }) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(host.recordExists, "the record is durable before the first file is rewritten")

        let restarted = host.makeSwitch()
        #expect(try await restarted.heldPair() == Self.old)
        #expect(try host.contents() == before, "every file back as it was, byte for byte")
        #expect(!host.recordExists && host.backups.isEmpty)
        try await restarted.apply(Self.new)  // and the next apply works
        #expect(try await restarted.heldPair() == Self.new)
    }

    @Test("killed after the switch completed: the files keep the new key, and a fleet rollback can still restore them")
    func killedAfterSwitchKeepsRestorable() async throws {
        let host = try Host()
        let before = try host.contents()
        let dying = host.makeSwitch(killAt: "switched")
        Task { try? await dying.apply(Self.new) }
        while !host.points.withLock({ $0.contains("switched") }) { try await Task.sleep(for: .milliseconds(10)) }
        let restarted = host.makeSwitch()
        #expect(try await restarted.heldPair() == Self.new)
        try await restarted.restore(expecting: Self.old.accessKeyID)
        #expect(try host.contents() == before)
    }

    @Test("restore without backups succeeds only when the files already hold the key (a repeat after a crash)")
    func restoreWithoutBackups() async throws {
        let host = try Host()
        try await host.makeSwitch().restore(expecting: Self.old.accessKeyID)
        let error = await #expect(throws: FleetPortError.self) { try await host.makeSwitch().restore(expecting: Self.new.accessKeyID) }
        #expect(error?.message.contains("no backup of \(Self.new.accessKeyID)") == true)
    }

    @Test("restart_units: restarted in order on the new key after the rewrite; a fleet rollback restarts them on the old key")
    func consumersFollowTheFiles() async throws {
        let host = try Host()
        let files = host.makeSwitch(restarting: ["a.service", "b.service"])
        try await files.apply(Self.new)
        #expect(host.restarter.restarts.map(\.unit) == ["a.service", "b.service"])
        #expect(host.restarter.units(running: Self.new.accessKeyID) == ["a.service", "b.service"])
        try await files.restore(expecting: Self.old.accessKeyID)
        #expect(host.restarter.units(running: Self.old.accessKeyID) == ["a.service", "b.service"])
    }

    @Test("a consumer that fails on the new key: the files go back and every unit restarted so far runs the old key again")
    func failedRestartPutsBack() async throws {
        let host = try Host()
        let before = try host.contents()
        host.restarter.inject(RotationPortError(.failed, "b.service did not become active"), into: "b.service")
        let error = await #expect(throws: FleetPortError.self) {
            try await host.makeSwitch(restarting: ["a.service", "b.service"]).apply(Self.new)
        }
        #expect(error?.message.contains("put back to \(Self.old.accessKeyID)") == true, "\(String(describing: error))")
        #expect(try host.contents() == before)
        #expect(host.restarter.units(running: Self.old.accessKeyID) == ["a.service", "b.service"], "b.service started again on the old key")
        #expect(!host.recordExists && host.backups.isEmpty)
    }

    @Test("a member killed during a restart: the next start puts the files back and restarts the units on the old key")
    func killedDuringRestart() async throws {
        let host = try Host()
        let dying = host.makeSwitch(killAt: "restarting:b.service", restarting: ["a.service", "b.service"])
        Task { try? await dying.apply(Self.new) }
        while !host.points.withLock({ $0.contains("restarting:b.service") }) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(host.restarter.runningKey(of: "a.service") == Self.new.accessKeyID)

        let restarted = host.makeSwitch(restarting: ["a.service", "b.service"])
        #expect(try await restarted.heldPair() == Self.old)
        #expect(host.restarter.units(running: Self.old.accessKeyID) == ["a.service", "b.service"])
        #expect(!host.recordExists)
    }

    /// `rewrote:N` and `restored:N` name the N-th configured file.
    static func named(_ point: String, _ host: Host) -> String {
        for prefix in ["rewrote:", "restored:"] where point.hasPrefix(prefix) {
            return prefix + host.specs[Int(point.dropFirst(prefix.count))!].path
        }
        return point
    }
}
