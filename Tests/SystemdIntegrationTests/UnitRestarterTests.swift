import Foundation
import KeyrotTestSupport
@testable import SystemdIntegration
import Testing

/// The D-Bus unit restarter's failures, classified by D-Bus error name and errno (never by text).
/// Its behaviour against a real systemd and polkit is Tests/e2e/consumers-e2e.
@Suite("Unit restarter over sd-bus", .serialized)
struct UnitRestarterTests {
    @Test("error replies and errnos map to what the engine must tell apart",
          arguments: [
              (BusFailure(call: "TryRestartUnit", errno: EACCES, errorName: "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"), UnitRestartError.Code.accessDenied),
              (BusFailure(call: "TryRestartUnit", errno: EACCES, errorName: "org.freedesktop.DBus.Error.AccessDenied"), .accessDenied),
              (BusFailure(call: "TryRestartUnit", errno: EPERM), .accessDenied),
              (BusFailure(call: "TryRestartUnit", errno: ENOENT, errorName: "org.freedesktop.systemd1.NoSuchUnit"), .noSuchUnit),
              (BusFailure(call: "TryRestartUnit", errno: ERFKILL, errorName: "org.freedesktop.systemd1.UnitMasked"), .callFailed),
              (BusFailure(call: "TryRestartUnit", errno: ETIMEDOUT), .callFailed),
          ])
    func classification(failure: BusFailure, code: UnitRestartError.Code) {
        let error = SystemdUnitRestarter.classify(failure, unit: "snowplow-collector.service")
        #expect(error.code == code)
        #expect(error.unit == "snowplow-collector.service")
        #expect(error.message.contains("snowplow-collector.service"))
        #expect(error.cause == failure)
    }

    @Test("no system bus: busUnavailable, naming the unit and what to check")
    func noBus() throws {
        let directory = NSTemporaryDirectory() + "keyrotd-nobus-\(UUID().uuidString)"
        setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=\(directory)/system_bus_socket", 1)
        defer { unsetenv("DBUS_SYSTEM_BUS_ADDRESS") }
        #expect {
            _ = try SystemdUnitRestarter(clock: TestClock()).restart(unit: "snowplow-collector.service", timeout: .seconds(2))
        } throws: { error in
            let failure = error as? UnitRestartError
            return failure?.code == .busUnavailable && failure?.message.contains("snowplow-collector.service") == true
                && failure?.cause?.errno == ENOENT
        }
    }
}
