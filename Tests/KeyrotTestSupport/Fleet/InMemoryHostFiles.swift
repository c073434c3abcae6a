import FleetCoordination
import Foundation
import KeyrotCore
import Synchronization

/// One host's credential files, in memory, behaving as the single-host switch does: `apply` keeps
/// a backup, switches, and verifies the new pair (STS, against the cloud); on failure the files
/// are put back and the call throws. A switch is atomic; a kill lands before or after it.
public final class InMemoryHostFiles: FleetLocalFiles {
    struct State {
        var pair: Credentials
        var backup: Credentials?
        var failingApplies = 0
    }

    private let state: Mutex<State>
    private let cloud: InMemoryFleetCloud
    private let crashSwitch: FakeCrashSwitch

    public init(holding pair: Credentials, cloud: InMemoryFleetCloud, crashSwitch: FakeCrashSwitch) {
        state = Mutex(State(pair: pair))
        self.cloud = cloud
        self.crashSwitch = crashSwitch
    }

    /// The pair the files hold now.
    public var pair: Credentials { state.withLock { $0.pair } }

    /// The next `count` switches fail (a consumer that does not restart, a verify command that fails).
    public func failNextApplies(_ count: Int = 1) {
        state.withLock { $0.failingApplies += count }
    }

    public func heldPair() async throws -> Credentials {
        try crashSwitch.operate("files.read") { pair }
    }

    public func apply(_ pair: Credentials) async throws {
        defer { cloud.notifyObserver() }
        try crashSwitch.operate("files.apply") {
            let verified = cloud.accepts(pair)
            try state.withLock { state in
                if state.failingApplies > 0 {
                    state.failingApplies -= 1
                    throw FleetPortError(.failed, "the verify command failed after the switch; the files were put back")
                }
                guard verified else { throw FleetPortError(.failed, "STS refused \(pair.accessKeyID) after the switch; the files were put back") }
                state.backup = state.pair
                state.pair = pair
            }
        }
    }

    public func restore(expecting keyID: AccessKeyID) async throws {
        defer { cloud.notifyObserver() }
        try crashSwitch.operate("files.restore") {
            try state.withLock { state in
                guard let backup = state.backup, backup.accessKeyID == keyID else {
                    throw FleetPortError(.failed, "the backups do not hold \(keyID)")
                }
                state.pair = backup
            }
        }
    }
}

/// Keeps every fleet event, in order.
public final class RecordingFleetEvents: FleetEventSink {
    private let events = Mutex<[FleetEvent]>([])

    public init() {}

    public var all: [FleetEvent] { events.withLock { $0 } }

    public func record(_ event: FleetEvent) {
        events.withLock { $0.append(event) }
    }
}
