import DurableFS
import FoundationEssentials
import KeyrotCore

/// The validated contents of keyrotd.yml, with every default applied.
///
/// Build it with ``load(path:environment:)`` or ``parse(yaml:path:environment:)``; both throw
/// ``ConfigurationError`` naming the file and line of the first problem.
public struct KeyrotConfiguration: Sendable, Hashable {
    /// Where keyrotd looks when `--config` is not given.
    public static let defaultPath = "/etc/keyrotd/keyrotd.yml"

    /// The IAM user whose access keys are rotated (`user`, required).
    public var user: String
    /// Rotate when the active key is older than this (`max_age`, default 90d).
    public var maxAge: Duration
    /// How often the daemon re-reads the key state (`check_interval`, default 1h).
    public var checkInterval: Duration
    /// How long the old key stays Active after the files switched (`overlap`, default 1h; may be 0s).
    public var overlap: Duration
    /// How long the old key then stays Inactive before it is deleted (`grace`, default 24h; may be 0s).
    public var grace: Duration
    /// How long a new key may take to start working before the rotation rolls back
    /// (`propagation_timeout`, default 2m).
    public var propagationTimeout: Duration
    /// How many consecutive identity checks the new key must pass before the files switch
    /// (`propagation_checks`, default 3, from 1 to 10). Real IAM can fail a check even after a
    /// first success; the checks after the first are spaced about a second apart.
    public var propagationChecks: Int
    /// Where keyrotd keeps its state: `$STATE_DIRECTORY` when set, else `state_dir`
    /// (default /var/lib/keyrotd).
    public var stateDirectory: String
    /// Delete a second Active key that no configured file uses (`delete_unknown_active_keys`, default false).
    public var deleteUnknownActiveKeys: Bool
    /// The `aws:` section.
    public var aws: AWSSettings
    /// Run after the files are written; must exit 0 (`verify_command`, optional). The first element
    /// is an absolute path; the command gets no secret in its arguments or environment.
    public var verifyCommand: [String]?
    /// How long `verify_command` may run before it counts as failed (`verify_timeout`, default 5m).
    public var verifyTimeout: Duration
    /// The systemd services that read the key at start (`restart_units`, optional): restarted
    /// (try-restart: a stopped one stays stopped) in this order once every file holds the new key,
    /// before `verify_command`; each a full `.service` name.
    public var restartUnits: [String] = []
    /// How long one unit's restart may take, job and back to active (`restart_timeout`, default 2m).
    public var restartTimeout: Duration = Defaults.restartTimeout
    /// The files that hold the key (`files`, required, not empty), in the order given.
    public var files: [CredentialFileSpec]
    /// Where to write Prometheus metrics for node_exporter's textfile collector (`metrics_file`,
    /// optional, an absolute path ending in `.prom`; none by default).
    public var metricsFile: String?
    /// The `fleet:` section; nil (the default) when this host rotates alone.
    public var fleet: FleetSettings?

    public init(
        user: String,
        maxAge: Duration = Defaults.maxAge,
        checkInterval: Duration = Defaults.checkInterval,
        overlap: Duration = Defaults.overlap,
        grace: Duration = Defaults.grace,
        propagationTimeout: Duration = Defaults.propagationTimeout,
        propagationChecks: Int = Defaults.propagationChecks,
        stateDirectory: String = Defaults.stateDirectory,
        deleteUnknownActiveKeys: Bool = false,
        aws: AWSSettings = AWSSettings(),
        verifyCommand: [String]? = nil,
        verifyTimeout: Duration = Defaults.verifyTimeout,
        files: [CredentialFileSpec]
    ) {
        self.user = user
        self.maxAge = maxAge
        self.checkInterval = checkInterval
        self.overlap = overlap
        self.grace = grace
        self.propagationTimeout = propagationTimeout
        self.propagationChecks = propagationChecks
        self.stateDirectory = stateDirectory
        self.deleteUnknownActiveKeys = deleteUnknownActiveKeys
        self.aws = aws
        self.verifyCommand = verifyCommand
        self.verifyTimeout = verifyTimeout
        self.files = files
    }

    /// The values used for keys the file leaves out.
    public enum Defaults {
        public static let maxAge: Duration = .seconds(90 * 86_400)
        public static let checkInterval: Duration = .seconds(3_600)
        public static let overlap: Duration = .seconds(3_600)
        public static let grace: Duration = .seconds(86_400)
        public static let propagationTimeout: Duration = .seconds(120)
        public static let propagationChecks = 3
        public static let propagationCheckRange = 1...10
        public static let verifyTimeout: Duration = .seconds(300)
        public static let restartTimeout: Duration = .seconds(120)
        public static let stateDirectory = "/var/lib/keyrotd"
        public static let region = "us-east-1"
    }

    /// The `aws:` section: where IAM and STS are reached.
    public struct AWSSettings: Sendable, Hashable {
        /// The region STS is called in and requests are signed for (`region`, default us-east-1).
        public var region: String
        /// `aws`, `aws-cn` or `aws-us-gov` (`partition`, default aws).
        public var partition: AWSPartition
        /// Overrides the IAM endpoint (`iam_endpoint`); https, or http on a loopback host only.
        public var iamEndpoint: URL?
        /// Overrides the STS endpoint (`sts_endpoint`); https, or http on a loopback host only.
        public var stsEndpoint: URL?
        /// Overrides the Secrets Manager endpoint of fleet mode (`secretsmanager_endpoint`); https, or http on a loopback host only.
        public var secretsManagerEndpoint: URL?
        /// Overrides the DynamoDB endpoint of fleet mode (`dynamodb_endpoint`); https, or http on a loopback host only.
        public var dynamoDBEndpoint: URL?

        public init(
            region: String = Defaults.region,
            partition: AWSPartition = .aws,
            iamEndpoint: URL? = nil,
            stsEndpoint: URL? = nil,
            secretsManagerEndpoint: URL? = nil,
            dynamoDBEndpoint: URL? = nil
        ) {
            self.region = region
            self.partition = partition
            self.iamEndpoint = iamEndpoint
            self.stsEndpoint = stsEndpoint
            self.secretsManagerEndpoint = secretsManagerEndpoint
            self.dynamoDBEndpoint = dynamoDBEndpoint
        }
    }

    /// Reads and validates the configuration file at `path`.
    ///
    /// - Parameters:
    ///   - environment: the process environment (pass `ProcessInfo.processInfo.environment`);
    ///     only `STATE_DIRECTORY` is read from it.
    ///   - syntax: what `files:` entries may name inside the files (the rewriters' rules).
    ///   - machineIDPath: where a `fleet:` section without `host_id` takes the host's id from.
    public static func load(path: String, environment: [String: String], syntax: FileEntrySyntax,
                            machineIDPath: String = FleetSettings.Defaults.machineIDPath) throws(ConfigurationError) -> KeyrotConfiguration {
        let bytes: [UInt8]
        do {
            // A regular file of bounded size, opened without blocking: a FIFO or /dev/zero given
            // as --config must fail at once, not hang or fill the memory.
            bytes = try DurableFS.read(path, policy: .readOnly)
        } catch {
            throw ConfigurationError(.unreadableFile, configPath: path,
                                     message: "cannot read the configuration file (\(error.message)); "
                                         + "create it (an annotated example ships as /etc/keyrotd/keyrotd.yml) "
                                         + "or point --config at it")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigurationError(.unreadableFile, configPath: path,
                                     message: "the configuration file is not UTF-8 text; save it as UTF-8")
        }
        return try parse(yaml: text, path: path, environment: environment, syntax: syntax, machineIDPath: machineIDPath)
    }

    /// Validates configuration text; `path` is only used to name the file in errors.
    public static func parse(yaml: String, path: String, environment: [String: String], syntax: FileEntrySyntax,
                             machineIDPath: String = FleetSettings.Defaults.machineIDPath) throws(ConfigurationError) -> KeyrotConfiguration {
        try ConfigurationReader(configPath: path, environment: environment, machineIDPath: machineIDPath, syntax: syntax).read(yaml: yaml)
    }
}
