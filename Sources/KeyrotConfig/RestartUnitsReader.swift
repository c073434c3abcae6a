import Yams

/// `restart_units:`, the systemd units that read the key at start and are restarted (try-restart)
/// once every file holds the new key. Each name is checked here, once, because it ends up in a
/// D-Bus call and in the polkit rule keyrotd prints.
struct RestartUnitsReader {
    let nodes: YAMLNodeReader

    /// The longest unit name systemd accepts (UNIT_NAME_MAX, including the suffix).
    static let maximumLength = 255

    func read(_ node: Node) throws(ConfigurationError) -> [String] {
        guard case .sequence(let sequence) = node else {
            throw nodes.error(.wrongType, at: node.mark, "`restart_units` must be a list of systemd service names, "
                + "such as [snowplow-collector.service]; found \(nodes.kind(of: node))")
        }
        var units: [String] = []
        var firstLine: [String: Int] = [:]
        for item in sequence {
            let name = try nodes.string(item, key: "restart_units")
            if let problem = Self.problem(with: name) {
                throw nodes.error(.invalidValue, at: item.mark, "`restart_units`: `\(name)` \(problem)")
            }
            if let line = firstLine[name] {
                throw nodes.error(.invalidValue, at: item.mark, "`restart_units` names \(name) twice (first at line \(line)); "
                    + "list each unit once")
            }
            firstLine[name] = item.mark?.line ?? 0
            units.append(name)
        }
        return units
    }

    /// Why `name` is not the full name of a service unit (nil when it is): systemd's unit-name
    /// rules (letters, digits and `:-_.\@`, at most 255 bytes), a `.service` suffix, and a template
    /// only with its instance. No globs, no paths, nothing that needs quoting in a polkit rule.
    static func problem(with name: String) -> String? {
        let suffix = ".service"
        guard name.hasSuffix(suffix), name.utf8.count > suffix.utf8.count else {
            return "is not a service unit name; write the full name ending in .service, such as snowplow-collector.service"
        }
        guard name.utf8.count <= maximumLength else {
            return "is longer than the \(maximumLength) bytes systemd allows in a unit name"
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_.\\@".utf8)
        guard name.utf8.allSatisfy(allowed.contains) else {
            return "holds a character systemd does not allow in a unit name (allowed: letters, digits and :-_.\\@); "
                + "write the name as `systemctl list-units` shows it, escaped with systemd-escape where needed"
        }
        let prefix = name.dropLast(suffix.count)
        let parts = prefix.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty }) else {
            return "is not a valid unit name: a template needs one `@` with a name before it and an instance after it "
                + "(snowplow-loader@good.service)"
        }
        return nil
    }
}
