internal import CProcessControl

/// Keeps the secrets keyrotd holds out of core dumps and away from debuggers of the same user.
public enum CoreDumpGuard {
    /// Marks the process not dumpable (`PR_SET_DUMPABLE` 0): no core file, no ptrace attach by
    /// the same user, /proc/PID/mem and environ readable by root only. Called first thing by
    /// every subcommand (all of them may read a file holding the secret), before any is read.
    /// The unit's `LimitCORE=0` says the same to systemd; this covers `keyrotd rotate` and
    /// `check` run by hand, where a shell's `ulimit -c unlimited` would otherwise apply.
    /// A failure is not fatal (the kernel refuses nothing here in practice): it is returned.
    @discardableResult
    public static func engage() -> Bool {
        keyrotd_set_dumpable(0) == 0
    }
}
