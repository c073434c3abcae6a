import Foundation
import KeyrotCore
import Logging
import RotationEngine
import Synchronization

/// Everything a rotation touches, in memory, sharing one crash switch and one test clock:
/// an IAM user with one key that every file holds, the files, the state store, the verify
/// command and an event sink. Also checks the rotation invariants (I1..I6 of the design).
public final class FakeWorld: Sendable {
    public let crashSwitch: FakeCrashSwitch
    public let clock: TestClock
    public let iam: FakeIAM
    public let files: FakeCredentialFiles
    public let store: FakeRotationStateStore
    public let verifier: FakeRotationVerifier
    public let restarter: FakeConsumerRestarter
    public let events: FakeRotationEventSink
    public let policy: RotationPolicy
    /// The key every file holds at the start.
    public let originalKey: Credentials

    public init(
        paths: [String] = ["/opt/snowplow/config/config.yml", "/opt/snowplow/config/targets/dynamodb.json", "/home/snowplow/.aws/credentials"],
        keyAge: TimeInterval = 100 * 86_400,
        propagationDelay: TimeInterval = 0,
        flakyChecksAfterFirstSuccess: Int = 0,
        restartUnits: [String] = [],
        adjust: (inout RotationPolicy) -> Void = { _ in }
    ) {
        var policy = RotationPolicy.forTests(files: paths) {
            $0.hasVerifyCommand = true
            $0.restartUnits = restartUnits
        }
        adjust(&policy)
        let crashSwitch = FakeCrashSwitch()
        let clock = TestClock(crashSwitch: crashSwitch)
        let files = FakeCredentialFiles(crashSwitch: crashSwitch)
        let iamBox = Mutex<FakeIAM?>(nil)
        let restarterBox = Mutex<FakeConsumerRestarter?>(nil)
        let verifier = FakeRotationVerifier(crashSwitch: crashSwitch) {
            guard let iam = iamBox.withLock({ $0 }) else { return nil }
            for path in paths {
                guard let pairs = files.pairs(in: path), let pair = pairs.first, iam.accepts(pair) else {
                    return "\(path) holds no working key"
                }
            }
            return nil
        }
        let iam = FakeIAM(
            user: policy.user, clock: clock, crashSwitch: crashSwitch,
            propagationDelay: propagationDelay, flakyChecksAfterFirstSuccess: flakyChecksAfterFirstSuccess
        ) { id in
            let holders = files.paths(holding: id) + (restarterBox.withLock { $0 }?.units(running: id) ?? [])
            if !holders.isEmpty { return "\(id) retired while \(holders.joined(separator: ", ")) hold it" }
            return nil
        }
        iamBox.withLock { $0 = iam }
        let original = iam.addKey(createdAt: clock.now.addingTimeInterval(-keyAge))
        for path in paths { files.set(path, to: [original]) }
        let firstPath = paths.first
        let restarter = FakeConsumerRestarter(crashSwitch: crashSwitch, units: policy.restartUnits, runningKey: original.accessKeyID) {
            firstPath.flatMap { files.pairs(in: $0)?.first?.accessKeyID }
        }
        restarterBox.withLock { $0 = restarter }
        self.crashSwitch = crashSwitch
        self.clock = clock
        self.iam = iam
        self.files = files
        self.store = FakeRotationStateStore(crashSwitch: crashSwitch)
        self.verifier = verifier
        self.restarter = restarter
        self.events = FakeRotationEventSink()
        self.policy = policy
        self.originalKey = original
    }

    /// A fresh driver (a new process) over this world.
    public func driver(policy: RotationPolicy? = nil) -> RotationDriver {
        RotationDriver(
            policy: policy ?? self.policy, clock: clock, keys: iam, files: files, store: store,
            verifier: verifier, restarter: restarter, events: events, logger: Logger(label: "test.rotation")
        )
    }

    /// The problems with the world after a run ended (empty when every invariant holds):
    /// every file holds one complete pair of one Active working key; IAM holds that key only;
    /// no key was retired while a file held it; no backup is left; the record is idle and holds
    /// no secret; CreateAccessKey was sent at most `maximumCreates` times.
    public func settledProblems(maximumCreates: Int = 1) -> [String] {
        var problems: [String] = []
        let pairs = policy.files.map { files.pairs(in: $0) ?? [] }
        let held = Set(pairs.flatMap { $0 })
        if pairs.contains(where: { $0.count != 1 }) || held.count != 1 {
            problems.append("files do not hold one common pair: \(policy.files.map { "\($0): \(files.pairs(in: $0)?.map(\.accessKeyID.rawValue) ?? [])" })")
        }
        if let pair = held.first {
            if !iam.accepts(pair) { problems.append("the files' key \(pair.accessKeyID) is not Active/working") }
            let ids = iam.keys.map(\.id)
            if ids != [pair.accessKeyID] { problems.append("IAM holds \(ids), expected only \(pair.accessKeyID)") }
        }
        if let pair = held.first {
            for unit in policy.restartUnits {
                if let running = restarter.runningKey(of: unit), running != pair.accessKeyID {
                    problems.append("\(unit) runs \(running), the files hold \(pair.accessKeyID)")
                }
            }
        }
        problems += iam.violations
        if files.backupCount != 0 { problems.append("\(files.backupCount) backup(s) left") }
        if iam.calls(.create) > maximumCreates { problems.append("CreateAccessKey sent \(iam.calls(.create)) times") }
        do {
            if let record = try store.record {
                if record.phase != .idle { problems.append("record left in phase \(record.phase)") }
                if record.oldSecret != nil || record.newSecret != nil { problems.append("record still holds a secret") }
            }
        } catch {
            problems.append("record unreadable: \(error)")
        }
        return problems
    }

    /// Every secret this world has seen (for checking that none leaks into events).
    public var knownSecrets: [String] {
        iam.issued.map { $0.secretAccessKey.revealed() }
    }
}
