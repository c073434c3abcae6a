import FleetAWS
import FleetCoordination
import Foundation
@testable import KeyrotCLI
import Testing

/// `keyrotd check`'s verdict on this host's membership, from what `fleet status` reads (no AWS).
@Suite struct FleetCheckTests {
    static let secret = SecretDescription(arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:keyrotd/snowplow-operator-AbCdEf",
                                          name: "keyrotd/snowplow-operator",
                                          versionStages: ["v-current": ["AWSCURRENT"], "v-old": ["AWSPREVIOUS"], "v-gone": []])

    static func report(holds version: String, dropped: Bool = false) -> FleetStatusReport {
        let member = MemberItem(host: "collector-2", heartbeat: 7, lastHeartbeatAt: Date(timeIntervalSince1970: 1_800_000_000),
                                state: MemberState(holds: SecretVersionID(version)), dropped: dropped)
        return FleetStatusReport(host: "collector-2", secret: secret, lease: nil, members: [member])
    }

    @Test("a member on the current version passes, and says which version it holds")
    func current() {
        var said: [String] = []
        #expect(FleetCheck.problems(Self.report(holds: "v-current"), hostID: "collector-2") { said.append($0) }.isEmpty)
        #expect(said == ["fleet: this host (host_id collector-2) holds version v-current (AWSCURRENT)"])
    }

    @Test("a host that is no member is told to join")
    func notJoined() {
        let problems = FleetCheck.problems(Self.report(holds: "v-current"), hostID: "collector-9") { _ in }
        #expect(problems == ["fleet: this host (host_id collector-9) has not joined; run `keyrotd fleet join` while its files hold the current pair"])
    }

    @Test("a dropped member is told to put the current pair back and join again")
    func dropped() {
        let problems = FleetCheck.problems(Self.report(holds: "v-current", dropped: true), hostID: "collector-2") { _ in }
        #expect(problems.count == 1 && problems[0].contains("was dropped") && problems[0].contains("`keyrotd fleet join`"))
    }

    @Test("a member whose files hold a version neither AWSCURRENT nor AWSPENDING is a problem, whatever stage it still has")
    func staleVersion() {
        for version in ["v-old", "v-gone", "v-unknown"] {
            let problems = FleetCheck.problems(Self.report(holds: version), hostID: "collector-2") { _ in }
            #expect(problems == ["fleet: this host's files hold version \(version) of keyrotd/snowplow-operator, which is neither "
                + "AWSCURRENT nor AWSPENDING; put the current pair in its files, then run `keyrotd fleet join`"], "\(version)")
        }
    }
}
