/// The `fleet:` section (issue 13): several hosts sharing one key, coordinated through a Secrets
/// Manager secret and a DynamoDB lease table. Without the section keyrotd runs alone, as before.
public struct FleetSettings: Sendable, Hashable {
    /// The secret holding the current pair and the rotation's versions (`secret_id`, required): a
    /// name such as `keyrotd/snowplow-operator`, or its ARN.
    public var secretID: String
    /// The DynamoDB table holding the lease and the members (`lock_table`, required; partition key `pk`, string).
    public var lockTable: String
    /// This host's name in the fleet (`host_id`, default: the contents of /etc/machine-id).
    public var hostID: String
    /// How long a leader's lease lasts unrenewed (`lease_duration`, default 1m).
    public var leaseDuration: Duration
    /// How often a member reads the lease and the stages and heartbeats (`poll_interval`, default 30s).
    public var pollInterval: Duration
    /// A member whose heartbeat is older counts as down (`member_timeout`, default 5m; more than `poll_interval`).
    public var memberTimeout: Duration
    /// How long live members may take to apply a published key before the fleet rolls back (`ack_timeout`, default 1h).
    public var ackTimeout: Duration
    /// A member silent this long is dropped and no longer keeps the old key alive (`member_grace`,
    /// default 7d; more than `member_timeout` and `lease_duration`).
    public var memberGrace: Duration

    public init(secretID: String, lockTable: String, hostID: String, leaseDuration: Duration = Defaults.leaseDuration,
                pollInterval: Duration = Defaults.pollInterval, memberTimeout: Duration = Defaults.memberTimeout,
                ackTimeout: Duration = Defaults.ackTimeout, memberGrace: Duration = Defaults.memberGrace) {
        self.secretID = secretID
        self.lockTable = lockTable
        self.hostID = hostID
        self.leaseDuration = leaseDuration
        self.pollInterval = pollInterval
        self.memberTimeout = memberTimeout
        self.ackTimeout = ackTimeout
        self.memberGrace = memberGrace
    }

    public enum Defaults {
        public static let leaseDuration: Duration = .seconds(60)
        public static let pollInterval: Duration = .seconds(30)
        public static let memberTimeout: Duration = .seconds(300)
        public static let ackTimeout: Duration = .seconds(3_600)
        public static let memberGrace: Duration = .seconds(7 * 86_400)
        public static let machineIDPath = "/etc/machine-id"
    }
}
