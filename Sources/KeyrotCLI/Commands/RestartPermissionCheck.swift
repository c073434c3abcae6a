import Glibc
import KeyrotCore
import KeyrotConfig
import SystemdIntegration

/// `keyrotd check`'s part for `restart_units`: asks polkit, without acting and without
/// interaction, whether keyrotd's user may try-restart each unit, as systemd would ask it. polkit
/// answers such a question (with the `unit` and `verb` details) only to root: run as root, the
/// check asks on behalf of user keyrotd; run as another user, it says so.
enum RestartPermissionCheck {
    /// The problems found (empty when every restart would be allowed); `report` gets a line per unit.
    static func problems(units: [String], configPath: String, user: String = PolkitRule.defaultUser,
                         authority: PolkitAuthority = PolkitAuthority(), report: (String) -> Void) -> [String] {
        guard !units.isEmpty else { return [] }
        let fix = "print the rule with `keyrotd polkit-rule --config \(configPath)` and install it as /etc/polkit-1/rules.d/60-keyrotd.rules"
        guard let entry = getpwnam(user) else {
            return ["there is no user \(user) to restart \(units.joined(separator: ", ")) as; install keyrotd's package (sysusers.d entry)"]
        }
        let uid = entry.pointee.pw_uid
        // Every unit systemd cannot restart whatever polkit says, first; then polkit, for the others.
        var problems: [String] = []
        var loaded: [String] = []
        for unit in units {
            if let problem = loadProblem(unit, configPath: configPath) {
                problems.append(problem)
            } else {
                loaded.append(unit)
            }
        }
        for unit in loaded {
            do {
                switch try authority.check(action: PolkitRule.manageUnits, details: [("unit", unit), ("verb", "try-restart")], uid: uid) {
                case .allowed:
                    report("restart \(unit) as \(user): allowed by polkit")
                case .needsAuthentication, .denied:
                    problems.append("polkit does not let user \(user) restart \(unit); \(fix)")
                }
            } catch let failure where failure.isServiceMissing {
                return problems + ["polkitd is not installed, so systemd refuses every restart by user \(user) "
                    + "(restart_units: \(loaded.joined(separator: ", "))); apt install polkitd, then \(fix)"]
            } catch let failure where failure.isNotTrustedCaller {
                return problems + ["polkit answers whether user \(user) may restart \(loaded.joined(separator: ", ")) only to root; "
                    + "run `sudo keyrotd check --config \(configPath)`"]
            } catch {
                return problems + ["cannot ask polkit whether \(loaded.joined(separator: ", ")) may be restarted (\(error)); "
                    + "check that dbus runs and that /run/dbus/system_bus_socket is reachable"]
            }
        }
        return problems
    }

    /// Why systemd could not restart `unit` whatever polkit says: no such unit, masked, broken.
    private static func loadProblem(_ unit: String, configPath: String) -> String? {
        let state: String
        do {
            state = try SystemdUnitRestarter(clock: SystemClock()).loadState(of: unit)
        } catch {
            return "cannot ask systemd about \(unit): \(error.message)"
        }
        switch state {
        case "loaded": return nil
        case "not-found": return "systemd has no unit \(unit) (LoadState not-found); fix restart_units in \(configPath)"
        default: return "systemd cannot restart \(unit): its LoadState is \(state); see `systemctl status \(unit)`"
        }
    }
}
