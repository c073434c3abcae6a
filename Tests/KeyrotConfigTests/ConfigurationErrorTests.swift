import KeyrotConfig
import Testing

/// One invalid keyrotd.yml and where its error must point.
struct InvalidCase: Sendable, CustomTestStringConvertible {
    let name: String
    let yaml: String
    let code: ConfigurationError.Code
    let line: Int
    /// Words the message must contain (the key at fault, the valid choices, what to do).
    let mentions: [String]

    var testDescription: String { name }
}

/// A valid `files:` section (lines 2 to 4 when it follows `user:`).
private let oneFile = """
    files:
      - path: /opt/snowplow/config/config.yml
        format: yaml
    """

private let cases: [InvalidCase] = [
    InvalidCase(name: "unknown top-level key", yaml: "user: snowplow-operator\n\(oneFile)\nmax_agee: 90d",
                code: .unknownKey, line: 5, mentions: ["`max_agee`", "max_age", "check_interval", "files"]),
    InvalidCase(name: "unknown key in aws", yaml: "user: snowplow-operator\naws:\n  region: us-east-1\n  regoin: eu-west-1\n\(oneFile)",
                code: .unknownKey, line: 4, mentions: ["`regoin`", "`aws`", "region, partition, iam_endpoint, sts_endpoint"]),
    InvalidCase(name: "unknown key in a files entry", yaml: "user: snowplow-operator\n\(oneFile)\n    mode: 0600",
                code: .unknownKey, line: 5, mentions: ["`mode`", "files entry 1", "path, format, profile"]),
    InvalidCase(name: "missing user", yaml: "max_age: 90d\n\(oneFile)",
                code: .missingKey, line: 1, mentions: ["`user`", "add it"]),
    InvalidCase(name: "missing files", yaml: "user: snowplow-operator\nmax_age: 90d",
                code: .missingKey, line: 1, mentions: ["`files`"]),
    InvalidCase(name: "missing format in the second entry",
                yaml: "user: snowplow-operator\n\(oneFile)\n  - path: /etc/default/snowplow\n    profile: x",
                code: .missingKey, line: 5, mentions: ["files entry 2", "`format`", "yaml, json, aws-credentials, env"]),
    InvalidCase(name: "empty document", yaml: "# nothing yet\n",
                code: .missingKey, line: 1, mentions: ["`user:`", "`files:`"]),
    InvalidCase(name: "duration without unit", yaml: "user: snowplow-operator\nmax_age: 90\n\(oneFile)",
                code: .invalidDuration, line: 2, mentions: ["`max_age: 90`", "s, m, h or d"]),
    InvalidCase(name: "duration in words", yaml: "user: snowplow-operator\n\(oneFile)\ngrace: 1 day",
                code: .invalidDuration, line: 5, mentions: ["`grace: 1 day`"]),
    InvalidCase(name: "zero check_interval", yaml: "user: snowplow-operator\ncheck_interval: 0s\n\(oneFile)",
                code: .invalidDuration, line: 2, mentions: ["`check_interval`", "longer than zero"]),
    InvalidCase(name: "negative overlap", yaml: "user: snowplow-operator\noverlap: -1h\n\(oneFile)",
                code: .invalidDuration, line: 2, mentions: ["`overlap: -1h`"]),
    InvalidCase(name: "max_age beyond what the arithmetic holds", yaml: "user: snowplow-operator\nmax_age: 9223372036854775807s\n\(oneFile)",
                code: .invalidDuration, line: 2, mentions: ["`max_age: 9223372036854775807s`", "3650d"]),
    InvalidCase(name: "check_interval of 300 years", yaml: "user: snowplow-operator\n\(oneFile)\ncheck_interval: 109500d",
                code: .invalidDuration, line: 5, mentions: ["`check_interval: 109500d`", "3650d"]),
    InvalidCase(name: "overlap one second past ten years", yaml: "user: snowplow-operator\noverlap: 315360001s\n\(oneFile)",
                code: .invalidDuration, line: 2, mentions: ["`overlap: 315360001s`"]),
    InvalidCase(name: "grace in hours past ten years", yaml: "user: snowplow-operator\ngrace: 87601h\n\(oneFile)",
                code: .invalidDuration, line: 2, mentions: ["`grace: 87601h`"]),
    InvalidCase(name: "propagation_timeout in minutes past ten years", yaml: "user: snowplow-operator\npropagation_timeout: 5256001m\n\(oneFile)",
                code: .invalidDuration, line: 2, mentions: ["`propagation_timeout: 5256001m`"]),
    InvalidCase(name: "verify_timeout at Int64.max seconds", yaml: "user: snowplow-operator\nverify_timeout: 9223372036854775807s\n\(oneFile)",
                code: .invalidDuration, line: 2, mentions: ["`verify_timeout: 9223372036854775807s`"]),
    InvalidCase(name: "metrics_file that node_exporter would not read", yaml: "user: snowplow-operator\nmetrics_file: /var/lib/prometheus/node-exporter/keyrotd.txt\n\(oneFile)",
                code: .invalidValue, line: 2, mentions: ["`metrics_file: /var/lib/prometheus/node-exporter/keyrotd.txt`", ".prom", "textfile collector"]),
    InvalidCase(name: "relative metrics_file", yaml: "user: snowplow-operator\n\(oneFile)\nmetrics_file: keyrotd.prom",
                code: .relativePath, line: 5, mentions: ["`metrics_file: keyrotd.prom`", "absolute"]),
    InvalidCase(name: "boolean that is not", yaml: "user: snowplow-operator\ndelete_unknown_active_keys: maybe\n\(oneFile)",
                code: .wrongType, line: 2, mentions: ["`delete_unknown_active_keys`", "true or false"]),
    InvalidCase(name: "verify_command as one string", yaml: "user: snowplow-operator\nverify_command: /usr/local/bin/check --quick\n\(oneFile)",
                code: .wrongType, line: 2, mentions: ["`verify_command`", "list"]),
    InvalidCase(name: "aws as a scalar", yaml: "user: snowplow-operator\naws: us-east-1\n\(oneFile)",
                code: .wrongType, line: 2, mentions: ["`aws`", "mapping"]),
    InvalidCase(name: "user as a list", yaml: "user: [a, b]\n\(oneFile)",
                code: .wrongType, line: 1, mentions: ["`user`"]),
    InvalidCase(name: "files as a mapping", yaml: "user: snowplow-operator\nfiles:\n  path: /opt/a.yml",
                code: .wrongType, line: 3, mentions: ["`files`", "- path:"]),
    InvalidCase(name: "relative file path", yaml: "user: snowplow-operator\nfiles:\n  - path: config/config.yml\n    format: yaml",
                code: .relativePath, line: 3, mentions: ["`path: config/config.yml`", "absolute"]),
    InvalidCase(name: "relative state_dir", yaml: "user: snowplow-operator\nstate_dir: var/lib/keyrotd\n\(oneFile)",
                code: .relativePath, line: 2, mentions: ["`state_dir: var/lib/keyrotd`"]),
    InvalidCase(name: "relative verify program", yaml: "user: snowplow-operator\nverify_command:\n  - check-pipeline\n\(oneFile)",
                code: .relativePath, line: 3, mentions: ["`check-pipeline`", "full path"]),
    InvalidCase(name: "file listed twice", yaml: "user: snowplow-operator\n\(oneFile)\n  - path: /opt/snowplow//config/./config.yml\n    format: json",
                code: .duplicateFile, line: 5, mentions: ["listed twice", "first at line 3"]),
    InvalidCase(name: "profile on a yaml file", yaml: "user: snowplow-operator\n\(oneFile)\n    profile: snowplow",
                code: .optionNotForFormat, line: 5, mentions: ["`profile`", "aws-credentials", "format is yaml"]),
    InvalidCase(name: "env variable on a json file",
                yaml: "user: snowplow-operator\nfiles:\n  - path: /opt/t.json\n    access_key_id_var: X\n    format: json",
                code: .optionNotForFormat, line: 4, mentions: ["`access_key_id_var`", "format env", "format is json"]),
    InvalidCase(name: "empty files list", yaml: "user: snowplow-operator\nfiles: []",
                code: .emptyFileList, line: 2, mentions: ["`files` lists no file"]),
    InvalidCase(name: "files with nothing", yaml: "user: snowplow-operator\nfiles:\n",
                code: .emptyFileList, line: 2, mentions: ["`files` lists no file"]),
    // YAML's null words, read from the text (keyrotd.yml is composed without Yams' regex resolver).
    InvalidCase(name: "files: ~", yaml: "user: snowplow-operator\nfiles: ~\n",
                code: .emptyFileList, line: 2, mentions: ["`files` lists no file"]),
    InvalidCase(name: "files: NULL", yaml: "user: snowplow-operator\nfiles: NULL\n",
                code: .emptyFileList, line: 2, mentions: ["`files` lists no file"]),
    InvalidCase(name: "files: !!null tagged", yaml: "user: snowplow-operator\nfiles: !!null ''\n",
                code: .emptyFileList, line: 2, mentions: ["`files` lists no file"]),
    InvalidCase(name: "user: null", yaml: "user: null\n\(oneFile)",
                code: .wrongType, line: 1, mentions: ["`user`", "found nothing"]),
    InvalidCase(name: "a quoted ~ is text, not null", yaml: "user: snowplow-operator\nfiles: \"~\"\n",
                code: .wrongType, line: 2, mentions: ["`files`", "found `~`"]),
    InvalidCase(name: "unclosed flow list", yaml: "user: snowplow-operator\nverify_command: [\"/bin/true\"\n\(oneFile)",
                code: .invalidYAML, line: 3, mentions: ["not valid YAML"]),
    InvalidCase(name: "bad indentation", yaml: "user: snowplow-operator\naws:\n  region: us-east-1\n   partition: aws\n\(oneFile)",
                code: .invalidYAML, line: 4, mentions: ["not valid YAML"]),
    InvalidCase(name: "key written twice", yaml: "user: snowplow-operator\n\(oneFile)\nuser: other",
                code: .invalidYAML, line: 1, mentions: ["`user`", "appears again"]),
    InvalidCase(name: "unknown partition", yaml: "user: snowplow-operator\naws:\n  partition: aws-eu\n\(oneFile)",
                code: .invalidValue, line: 3, mentions: ["`partition: aws-eu`", "aws, aws-cn, aws-us-gov"]),
    InvalidCase(name: "plain http to a remote host", yaml: "user: snowplow-operator\naws:\n  iam_endpoint: http://iam.example.com\n\(oneFile)",
                code: .invalidValue, line: 3, mentions: ["`iam_endpoint`", "`http://iam.example.com`", "loopback", "https"]),
    InvalidCase(name: "plain http to a lookalike of loopback", yaml: "user: snowplow-operator\naws:\n  sts_endpoint: http://127.0.0.1.example.com\n\(oneFile)",
                code: .invalidValue, line: 3, mentions: ["`sts_endpoint`", "loopback"]),
    InvalidCase(name: "endpoint with credentials in it", yaml: "user: snowplow-operator\naws:\n  sts_endpoint: https://me:pw@sts.example.com\n\(oneFile)",
                code: .invalidValue, line: 3, mentions: ["no user, password"]),
    InvalidCase(name: "unknown format", yaml: "user: snowplow-operator\nfiles:\n  - path: /opt/a.toml\n    format: toml",
                code: .invalidValue, line: 4, mentions: ["`format: toml`", "yaml, json, aws-credentials, env"]),
    InvalidCase(name: "user given as an ARN", yaml: "user: arn:aws:iam::123456789012:user/snowplow-operator\n\(oneFile)",
                code: .invalidValue, line: 1, mentions: ["not an IAM user name"]),
    InvalidCase(name: "empty verify_command", yaml: "user: snowplow-operator\nverify_command: []\n\(oneFile)",
                code: .invalidValue, line: 2, mentions: ["empty list"]),
    InvalidCase(name: "variable name with a dash", yaml: "user: snowplow-operator\nfiles:\n  - path: /etc/default/snowplow\n    format: env\n    access_key_id_var: AWS-KEY",
                code: .invalidValue, line: 5, mentions: ["`access_key_id_var: AWS-KEY`"]),
    InvalidCase(name: "no propagation check at all", yaml: "user: snowplow-operator\npropagation_checks: 0\n\(oneFile)",
                code: .invalidValue, line: 2, mentions: ["`propagation_checks: 0`", "from 1 to 10"]),
    InvalidCase(name: "propagation checks in words", yaml: "user: snowplow-operator\n\(oneFile)\npropagation_checks: three",
                code: .invalidValue, line: 5, mentions: ["`propagation_checks: three`", "whole number"]),
]

@Suite("Configuration errors name the file and the line")
struct ConfigurationErrorTests {
    static let path = "/etc/keyrotd/keyrotd.yml"

    @Test(arguments: cases)
    func reportsTheLine(_ invalid: InvalidCase) throws {
        let error = try #require(throws: ConfigurationError.self) {
            try KeyrotConfiguration.parse(yaml: invalid.yaml, path: Self.path, environment: [:], syntax: .credentialFiles)
        }
        #expect(error.code == invalid.code, "\(error)")
        #expect(error.line == invalid.line, "\(error)")
        #expect(error.description.hasPrefix("\(Self.path):\(invalid.line)"), "\(error)")
        #expect(error.exitCode == 78)
        for word in invalid.mentions {
            #expect(error.message.contains(word), "`\(word)` missing from: \(error.message)")
        }
    }

    @Test("the description is path:line:column: message")
    func descriptionFormat() {
        let placed = ConfigurationError(.unknownKey, configPath: "/c.yml", line: 4, column: 3, message: "m")
        let unplaced = ConfigurationError(.unreadableFile, configPath: "/c.yml", message: "m")
        #expect(placed.description == "/c.yml:4:3: m")
        #expect(unplaced.description == "/c.yml: m")
        #expect(ConfigurationError.exitCode == 78)
    }
}

@Suite("Configuration errors leak nothing")
struct ConfigurationErrorLeakTests {
    @Test("an endpoint with a password in it is not repeated in the error")
    func endpointPasswordIsNotRepeated() throws {
        let yaml = "user: u\naws:\n  iam_endpoint: https://admin:hunter2pw@iam.example.com\n\(oneFile)"
        let error = try #require(throws: ConfigurationError.self) {
            try KeyrotConfiguration.parse(yaml: yaml, path: "/c.yml", environment: [:], syntax: .credentialFiles)
        }
        #expect(!error.description.contains("hunter2pw"))
    }
}
