import Testing
@testable import KeyrotCLI

/// `keyrotd rotate-now` names the journal unit to follow only when the daemon runs in one.
@Suite struct DaemonUnitTests {
    @Test("a service's cgroup names its unit", arguments: [
        ("0::/system.slice/keyrotd.service\n", "keyrotd.service"),
        ("0::/system.slice/keyrotd-e2e-1a2b.service\n", "keyrotd-e2e-1a2b.service"),
        ("12:pids:/x\n0::/system.slice/system-keyrotd.slice/keyrotd@main.service\n", "keyrotd@main.service"),
    ])
    func service(cgroup: String, unit: String) {
        #expect(DaemonUnit.name(inCgroup: cgroup) == unit)
    }

    @Test("a login session, a container's root or no unified line names none", arguments: [
        "0::/user.slice/user-1000.slice/session-3.scope\n", "0::/\n", "", "4:memory:/system.slice/keyrotd.service\n",
    ])
    func noService(cgroup: String) {
        #expect(DaemonUnit.name(inCgroup: cgroup) == nil)
    }
}
