import Foundation
import KeyrotCore
import Yams

/// Turns the text of keyrotd.yml into a ``KeyrotConfiguration``: the schema, defaults and checks.
struct ConfigurationReader {
    static let topLevelKeys = [
        "user", "max_age", "check_interval", "overlap", "grace", "propagation_timeout",
        "propagation_checks", "state_dir",
        "delete_unknown_active_keys", "aws", "verify_command", "verify_timeout", "files", "metrics_file", "fleet",
        "restart_units", "restart_timeout",
    ]
    static let awsKeys = ["region", "partition", "iam_endpoint", "sts_endpoint", "secretsmanager_endpoint", "dynamodb_endpoint"]

    let configPath: String
    let environment: [String: String]
    let machineIDPath: String
    let syntax: FileEntrySyntax

    private var nodes: YAMLNodeReader { YAMLNodeReader(configPath: configPath) }

    func read(yaml: String) throws(ConfigurationError) -> KeyrotConfiguration {
        let root = try compose(yaml)
        let top = try nodes.mapping(root, section: "the top level", allowed: Self.topLevelKeys)

        let user = try userName(nodes.required("user", in: top, hint: "the IAM user whose keys keyrotd rotates"))
        var configuration = KeyrotConfiguration(
            user: user,
            files: try FileListReader(nodes: nodes, syntax: syntax).read(nodes.required("files", in: top,
                hint: "the list of files that hold the key"))
        )
        if let node = top["max_age"] {
            configuration.maxAge = try nodes.duration(node, key: "max_age", allowZero: false)
        }
        if let node = top["check_interval"] {
            configuration.checkInterval = try nodes.duration(node, key: "check_interval", allowZero: false)
        }
        if let node = top["overlap"] {
            configuration.overlap = try nodes.duration(node, key: "overlap", allowZero: true)
        }
        if let node = top["grace"] {
            configuration.grace = try nodes.duration(node, key: "grace", allowZero: true)
        }
        if let node = top["propagation_timeout"] {
            configuration.propagationTimeout = try nodes.duration(node, key: "propagation_timeout", allowZero: false)
        }
        if let node = top["propagation_checks"] {
            configuration.propagationChecks = try nodes.integer(node, key: "propagation_checks",
                                                                in: KeyrotConfiguration.Defaults.propagationCheckRange)
        }
        if let node = top["state_dir"] {
            configuration.stateDirectory = try nodes.absolutePath(node, key: "state_dir")
        }
        if let fromSystemd = stateDirectoryFromEnvironment() {
            configuration.stateDirectory = fromSystemd
        }
        if let node = top["delete_unknown_active_keys"] {
            configuration.deleteUnknownActiveKeys = try nodes.bool(node, key: "delete_unknown_active_keys")
        }
        if let node = top["aws"] {
            configuration.aws = try awsSettings(node)
        }
        if let node = top["verify_command"] {
            configuration.verifyCommand = try verifyCommand(node)
        }
        if let node = top["verify_timeout"] {
            configuration.verifyTimeout = try nodes.duration(node, key: "verify_timeout", allowZero: false)
        }
        if let node = top["restart_units"] {
            configuration.restartUnits = try RestartUnitsReader(nodes: nodes).read(node)
        }
        if let node = top["restart_timeout"] {
            configuration.restartTimeout = try nodes.duration(node, key: "restart_timeout", allowZero: false)
        }
        if let node = top["metrics_file"] {
            let path = try nodes.absolutePath(node, key: "metrics_file")
            // node_exporter's textfile collector reads only *.prom files: another name would never be scraped.
            guard path.hasSuffix(".prom") else {
                throw nodes.error(.invalidValue, at: node.mark, "`metrics_file: \(path)` does not end in .prom, "
                    + "so node_exporter's textfile collector would never read it; name it like "
                    + "/var/lib/prometheus/node-exporter/keyrotd.prom")
            }
            configuration.metricsFile = path
        }
        if let node = top["fleet"] {
            configuration.fleet = try FleetSettingsReader(nodes: nodes, machineIDPath: machineIDPath).read(node)
        }
        return configuration
    }

    /// No implicit tags: the readers take booleans, numbers and null from the scalar's text
    /// (YAMLNodeReader). Every rule of Yams' `Resolver.default` is a regular expression, and the
    /// first one compiled pays for ICU's regex engine: 8.9 M instructions of the 41 M that
    /// `keyrotd status` costs (docs/performance.md).
    private static let resolver = Resolver.basic

    /// The single YAML document, as a node tree with line marks.
    private func compose(_ yaml: String) throws(ConfigurationError) -> Node {
        if let line = YAMLAliasBudget.lineBeyondBudget(Array(yaml.utf8)) {
            throw ConfigurationError(.invalidYAML, configPath: configPath, line: line, message: YAMLAliasBudget.refusal)
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml, Self.resolver)
        } catch let yamlError as YamlError {
            throw invalidYAML(yamlError)
        } catch {
            throw ConfigurationError(.invalidYAML, configPath: configPath,
                                     message: "cannot parse the file as YAML (\(error)); fix its syntax")
        }
        guard let root else {
            throw ConfigurationError(.missingKey, configPath: configPath, line: 1,
                                     message: "the file is empty; it needs at least `user:` and `files:` "
                                         + "(see the annotated example /etc/keyrotd/keyrotd.yml)")
        }
        return root
    }

    private func invalidYAML(_ yamlError: YamlError) -> ConfigurationError {
        let fix = "fix the YAML syntax there (indentation, quotes, a missing `:`)"
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let during = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            return nodes.error(.invalidYAML, at: mark, "not valid YAML: \(problem)\(during); \(fix)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return nodes.error(.invalidYAML, at: context.mark,
                               "the key \(duplicates.map { "`\($0)`" }.joined(separator: ", ")) written here "
                                   + "appears again later in the same mapping; keep only one")
        default:
            return ConfigurationError(.invalidYAML, configPath: configPath,
                                      message: "not valid YAML (\(yamlError)); \(fix)")
        }
    }

    /// An IAM user name: 1 to 64 of letters, digits and `+=,.@_-`.
    private func userName(_ node: Node) throws(ConfigurationError) -> String {
        let name = try nodes.string(node, key: "user")
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "+=,.@_-"))
        guard (1...64).contains(name.count), name.unicodeScalars.allSatisfy({ $0.isASCII && allowed.contains($0) }) else {
            throw nodes.error(.invalidValue, at: node.mark, "`user: \(name)` is not an IAM user name; IAM names "
                + "have 1 to 64 letters, digits or +=,.@_- (give the name, not the ARN)")
        }
        return name
    }

    /// systemd's `StateDirectory=` sets `STATE_DIRECTORY` (several paths separated by `:`; the first is ours).
    private func stateDirectoryFromEnvironment() -> String? {
        guard let value = environment["STATE_DIRECTORY"],
              let first = value.split(separator: ":").first, first.hasPrefix("/") else { return nil }
        return String(first)
    }

    private func awsSettings(_ node: Node) throws(ConfigurationError) -> KeyrotConfiguration.AWSSettings {
        let aws = try nodes.mapping(node, section: "`aws`", allowed: Self.awsKeys)
        var settings = KeyrotConfiguration.AWSSettings()
        if let node = aws["region"] {
            let region = try nodes.string(node, key: "region")
            guard !region.isEmpty, region.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else {
                throw nodes.error(.invalidValue, at: node.mark, "`region: \(region)` is not an AWS region name; "
                    + "write one such as us-east-1")
            }
            settings.region = region
        }
        if let node = aws["partition"] {
            let text = try nodes.string(node, key: "partition")
            guard let partition = AWSPartition(rawValue: text) else {
                throw nodes.error(.invalidValue, at: node.mark, "`partition: \(text)` is not an AWS partition; "
                    + "use one of \(AWSPartition.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            settings.partition = partition
        }
        if let node = aws["iam_endpoint"] {
            settings.iamEndpoint = try endpoint(node, key: "iam_endpoint")
        }
        if let node = aws["sts_endpoint"] {
            settings.stsEndpoint = try endpoint(node, key: "sts_endpoint")
        }
        if let node = aws["secretsmanager_endpoint"] {
            settings.secretsManagerEndpoint = try endpoint(node, key: "secretsmanager_endpoint")
        }
        if let node = aws["dynamodb_endpoint"] {
            settings.dynamoDBEndpoint = try endpoint(node, key: "dynamodb_endpoint")
        }
        return settings
    }

    private func endpoint(_ node: Node, key: String) throws(ConfigurationError) -> URL {
        let text = try nodes.string(node, key: key)
        switch EndpointURL.validate(text) {
        case .valid(let url):
            return url
        case .invalid(let problem):
            throw nodes.error(.invalidValue, at: node.mark, "`\(key)`: \(problem)")
        }
    }

    private func verifyCommand(_ node: Node) throws(ConfigurationError) -> [String] {
        guard case .sequence(let sequence) = node else {
            throw nodes.error(.wrongType, at: node.mark, "`verify_command` must be a list of words, the program "
                + "first, such as [\"/usr/local/bin/check-pipeline\", \"--quick\"]; found \(nodes.kind(of: node))")
        }
        guard !sequence.isEmpty else {
            throw nodes.error(.invalidValue, at: node.mark, "`verify_command` is an empty list; give the program "
                + "and its arguments, or remove the key")
        }
        var words: [String] = []
        for word in sequence {
            words.append(try nodes.string(word, key: "verify_command"))
        }
        guard words[0].hasPrefix("/") else {
            throw nodes.error(.relativePath, at: sequence.first?.mark, "the program of `verify_command`, "
                + "`\(words[0])`, is not an absolute path; write its full path (keyrotd does not search PATH)")
        }
        return words
    }
}
