/// How a configured file holds the key: one entry of `files:` in keyrotd.yml.
public struct CredentialFileSpec: Sendable, Hashable {
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// EmrEtlRunner / StorageLoader YAML: `access_key_id` / `secret_access_key`, also as Ruby symbols.
        case yaml
        /// Snowplow storage targets and Dataflow Runner JSON: `accessKeyId` / `secretAccessKey`.
        case json
        /// The AWS shared credentials (or config) INI file.
        case awsCredentials = "aws-credentials"
        /// KEY=VALUE environment files.
        case env
        /// Lightbend config (HOCON) files of Snowplow's stream apps: `accessKey`/`secretKey`
        /// (`access-key`/`secret-key` in older Stream Enrich) at any depth.
        case hocon
    }

    /// Absolute path of the file.
    public let path: String
    public let format: Format
    /// `aws-credentials` only: the section that holds the pair.
    public let profile: String
    /// `env` only: the variables that hold the pair.
    public let accessKeyIDVariable: String
    public let secretAccessKeyVariable: String
    /// `hocon` only: dotted paths of the two settings (`collector.streams.sink.aws.accessKey`), set
    /// together, for files that do not use Snowplow's key names; nil finds Snowplow's pairs anywhere.
    public let accessKeyPath: String?
    public let secretKeyPath: String?

    public init(
        path: String,
        format: Format,
        profile: String = "default",
        accessKeyIDVariable: String = "AWS_ACCESS_KEY_ID",
        secretAccessKeyVariable: String = "AWS_SECRET_ACCESS_KEY",
        accessKeyPath: String? = nil,
        secretKeyPath: String? = nil
    ) {
        self.path = path
        self.format = format
        self.profile = profile
        self.accessKeyIDVariable = accessKeyIDVariable
        self.secretAccessKeyVariable = secretAccessKeyVariable
        self.accessKeyPath = accessKeyPath
        self.secretKeyPath = secretKeyPath
    }
}
