/// The files keyrotd keeps in its state directory, named in this one place.
public struct StateDirectoryLayout: Sendable, Hashable {
    public let directory: String

    public init(_ directory: String) {
        self.directory = directory
    }

    /// The rotation record (0600; holds both secrets while a rotation is in flight).
    public var record: String { directory + "/state.json" }
    /// The lock, which also holds its holder's PID.
    public var lock: String { directory + "/keyrotd.lock" }
    /// One 0600 copy of each credential file while a rotation is in flight (the folder is 0700).
    public var backups: String { directory + "/backups" }
    /// What the last run ended with, for `keyrotd status` (no secret).
    public var lastRun: String { directory + "/last-run.json" }
    /// Fleet mode: the member's switch in flight, from and to which key, with its backups and the
    /// units restarted (no secret).
    public var fleetSwitch: String { directory + "/fleet-switch.json" }
    /// What the metrics keep across restarts: counters and timestamps (no secret).
    public var metricsHistory: String { directory + "/metrics.json" }
}
