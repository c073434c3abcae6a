import Glibc

/// What a failed sd-bus call reported: the call, its errno, and the D-Bus error name and text
/// when the peer answered with an error (the name is what code compares, never the text).
public struct BusFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The D-Bus method or sd-bus function that failed ("TryRestartUnit", "sd_bus_open_system").
    public let call: String
    /// The positive errno sd-bus returned.
    public let errno: Int32
    /// The D-Bus error name of an error reply ("org.freedesktop.DBus.Error.AccessDenied").
    public let errorName: String?
    /// The error reply's text, for people.
    public let errorMessage: String?

    public init(call: String, errno: Int32, errorName: String? = nil, errorMessage: String? = nil) {
        self.call = call
        self.errno = errno
        self.errorName = errorName
        self.errorMessage = errorMessage
    }

    public var description: String {
        if let errorName {
            return "\(call): \(errorName)" + (errorMessage.map { ": \($0)" } ?? "")
        }
        return "\(call): \(String(cString: strerror(errno))) (errno \(errno))"
    }

    /// systemd or polkit refused the caller.
    var isAccessDenied: Bool {
        [
            "org.freedesktop.DBus.Error.AccessDenied", "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired",
            "org.freedesktop.DBus.Error.AuthFailed",
        ].contains(errorName ?? "") || (errorName == nil && (errno == EACCES || errno == EPERM))
    }

    /// systemd has no such unit (not loaded, for GetUnit; no unit file, for TryRestartUnit).
    var isNoSuchUnit: Bool {
        errorName == "org.freedesktop.systemd1.NoSuchUnit"
    }
}
