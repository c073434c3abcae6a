import Foundation
import KeyrotCore
import Yams

/// Reads `files:`: a non-empty list of distinct files, each with the options of its format only.
struct FileListReader {
    static let entryKeys = ["path", "format", "profile", "access_key_id_var", "secret_access_key_var",
                            "access_key_path", "secret_key_path"]

    /// Which format each format-specific option belongs to.
    static let optionFormats: [String: CredentialFileSpec.Format] = [
        "profile": .awsCredentials,
        "access_key_id_var": .env,
        "secret_access_key_var": .env,
        "access_key_path": .hocon,
        "secret_key_path": .hocon,
    ]

    let nodes: YAMLNodeReader
    let syntax: FileEntrySyntax

    func read(_ node: Node) throws(ConfigurationError) -> [CredentialFileSpec] {
        let entries: [Node]
        switch node {
        case .sequence(let sequence):
            entries = Array(sequence)
        case .scalar where nodes.isNull(node):
            entries = []
        default:
            throw nodes.error(.wrongType, at: node.mark, "`files` must be a list of entries, each starting with "
                + "`- path:`; found \(nodes.kind(of: node))")
        }
        guard !entries.isEmpty else {
            throw nodes.error(.emptyFileList, at: node.mark, column: false, "`files` lists no file; add at least "
                + "one entry with `path` and `format`, or keyrotd has nothing to rotate")
        }
        var seen: [FileIdentity: (path: String, line: Int)] = [:]
        var specs: [CredentialFileSpec] = []
        for (index, entry) in entries.enumerated() {
            let spec = try fileSpec(entry, number: index + 1)
            let identity = FileIdentity(spec.path)
            if let first = seen[identity] {
                let same = first.path == spec.path ? "" : "as `\(first.path)`, the same file (\(identity.reason)); "
                throw nodes.error(.duplicateFile, at: entry.mark, column: false, "`\(spec.path)` is listed twice "
                    + "under `files` (\(same)first at line \(first.line)); keep one entry per file")
            }
            seen[identity] = (spec.path, entry.mark?.line ?? 0)
            specs.append(spec)
        }
        return specs
    }

    private func fileSpec(_ node: Node, number: Int) throws(ConfigurationError) -> CredentialFileSpec {
        let entry = try nodes.mapping(node, section: "files entry \(number)", allowed: Self.entryKeys)
        let path = try nodes.absolutePath(
            nodes.required("path", in: entry, hint: "the absolute path of the file"), key: "path")
        let formatNode = try nodes.required("format", in: entry, hint: formatList)
        let formatText = try nodes.string(formatNode, key: "format")
        guard let format = CredentialFileSpec.Format(rawValue: formatText) else {
            throw nodes.error(.invalidValue, at: formatNode.mark, "`format: \(formatText)` is not a format "
                + "keyrotd knows; use \(formatList)")
        }
        for (option, owner) in Self.optionFormats.sorted(by: { $0.key < $1.key })
            where owner != format && entry[option] != nil {
            throw nodes.error(.optionNotForFormat, at: entry.keyNode(option)?.mark, "`\(option)` applies only "
                + "to format \(owner.rawValue), and this file's format is \(format.rawValue); remove it")
        }
        switch format {
        case .awsCredentials:
            guard let node = entry["profile"] else { return CredentialFileSpec(path: path, format: format) }
            return CredentialFileSpec(path: path, format: format, profile: try profile(node))
        case .env:
            let defaults = CredentialFileSpec(path: path, format: format)
            return CredentialFileSpec(
                path: path, format: format,
                accessKeyIDVariable: try variableName(entry, key: "access_key_id_var",
                                                      default: defaults.accessKeyIDVariable),
                secretAccessKeyVariable: try variableName(entry, key: "secret_access_key_var",
                                                          default: defaults.secretAccessKeyVariable))
        case .hocon:
            return try hoconSpec(entry, path: path)
        case .yaml, .json:
            return CredentialFileSpec(path: path, format: format)
        }
    }

    /// `access_key_path` and `secret_key_path`: both dotted HOCON paths, or neither.
    private func hoconSpec(_ entry: CheckedMapping, path: String) throws(ConfigurationError) -> CredentialFileSpec {
        var paths: [String] = []
        for key in ["access_key_path", "secret_key_path"] {
            guard let node = entry[key] else { continue }
            let text = try nodes.string(node, key: key)
            guard syntax.isHOCONPath(text) else {
                throw nodes.error(.invalidValue, at: node.mark, "`\(key): \(text)` is not a HOCON path; write the "
                    + "setting's path dotted, such as collector.streams.sink.aws.accessKey")
            }
            paths.append(text)
        }
        guard paths.count != 1 else {
            let present = entry["access_key_path"] != nil ? "access_key_path" : "secret_key_path"
            throw nodes.error(.invalidValue, at: entry.keyNode(present)?.mark, "`\(present)` is set without the "
                + "other of access_key_path / secret_key_path; set both, or neither to find Snowplow's accessKey/secretKey")
        }
        return CredentialFileSpec(path: path, format: .hocon, accessKeyPath: paths.first, secretKeyPath: paths.last)
    }

    private var formatList: String {
        CredentialFileSpec.Format.allCases.map(\.rawValue).joined(separator: ", ")
    }

    /// An INI section name: not empty, no brackets, no surrounding blanks.
    private func profile(_ node: Node) throws(ConfigurationError) -> String {
        let name = try nodes.string(node, key: "profile")
        guard !name.isEmpty, name == name.trimmingCharacters(in: .whitespaces),
              !name.contains(where: { "[]\n\r".contains($0) }) else {
            throw nodes.error(.invalidValue, at: node.mark, "`profile: \(name)` is not a profile name; write the "
                + "name between the brackets of its section, such as snowplow for [snowplow]")
        }
        return name
    }

    /// A shell variable name: a letter or `_`, then letters, digits or `_`.
    private func variableName(_ entry: CheckedMapping, key: String, default: String) throws(ConfigurationError) -> String {
        guard let node = entry[key] else { return `default` }
        let name = try nodes.string(node, key: key)
        guard let first = name.first, first == "_" || (first.isASCII && first.isLetter),
              name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else {
            throw nodes.error(.invalidValue, at: node.mark, "`\(key): \(name)` is not a variable name; use "
                + "letters, digits and _ only, not starting with a digit")
        }
        return name
    }

    /// `path` without empty and `.` components, so `/a//b` and `/a/./b` count as the same file.
    static func lexicallyNormalized(_ path: String) -> String {
        "/" + path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }
}
