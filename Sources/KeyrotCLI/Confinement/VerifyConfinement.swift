import Logging

/// How `verify_command` is started where the kernel offers Landlock: through
/// `keyrotd confine-exec`, which hides the state directory (both secrets, while a rotation runs)
/// from the command before becoming it.
struct VerifyConfinement: Sendable {
    /// keyrotd's own executable: `/proc/self/exe` in keyrotd (still right after an upgrade
    /// replaced the file), the built binary in tests.
    let keyrotd: String
    let hiddenDirectory: String

    func arguments(for command: [String]) -> [String] {
        [keyrotd, "confine-exec", "--hide", hiddenDirectory, "--"] + command
    }

    /// The confinement for this state directory, or nil with a warning where Landlock is missing
    /// (a kernel older than 5.13, or Landlock not among its active security modules).
    static func hiding(stateDirectory: String, logger: Logger) -> VerifyConfinement? {
        guard DirectoryHiding.abiVersion != nil else {
            logger.warning("this kernel offers no Landlock: verify_command runs unconfined and could read \(stateDirectory), which holds the secrets during a rotation")
            return nil
        }
        return VerifyConfinement(keyrotd: "/proc/self/exe", hiddenDirectory: stateDirectory)
    }
}
