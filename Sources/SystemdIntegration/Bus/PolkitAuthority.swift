internal import CSystemd
import Glibc

/// Asks polkit, without acting and without interaction, whether a user may do an action:
/// `org.freedesktop.PolicyKit1.Authority.CheckAuthorization` for the calling process as a
/// `unix-process` subject of that user, with the details systemd would pass (`unit`, `verb`).
/// polkit takes details, and another user's uid, only from trusted callers (root).
public struct PolkitAuthority: Sendable {
    public enum Answer: Sendable, Hashable {
        /// polkit allows it (a rule, or the action's defaults).
        case allowed
        /// Only after interactive authentication, which a daemon never gets: refused in practice.
        case needsAuthentication
        case denied
    }

    static let destination = "org.freedesktop.PolicyKit1"
    static let path = "/org/freedesktop/PolicyKit1/Authority"
    static let interface = "org.freedesktop.PolicyKit1.Authority"

    public init() {}

    /// Throws `BusFailure` when the bus or polkitd cannot be asked: `isServiceMissing` tells that
    /// polkitd is not installed.
    public func check(action: String, details: [(String, String)], uid: UInt32 = getuid(),
                      timeoutMicroseconds: UInt64 = 10_000_000) throws(BusFailure) -> Answer {
        let bus = try SystemBus()
        let member = "CheckAuthorization"
        return try bus.call(Self.destination, path: Self.path, interface: Self.interface, member: member,
                            timeoutMicroseconds: timeoutMicroseconds) { message throws(BusFailure) in
            try Self.appendSubject(uid: uid, to: message, call: member)
            try SystemBus.append(action, to: message, call: member)
            try Self.check(sd_bus_message_open_container(message, Self.type("a"), "{ss}"), member)
            for (key, value) in details {
                try Self.check(sd_bus_message_open_container(message, Self.type("e"), "ss"), member)
                try SystemBus.append(key, to: message, call: member)
                try SystemBus.append(value, to: message, call: member)
                try Self.check(sd_bus_message_close_container(message), member)
            }
            try Self.check(sd_bus_message_close_container(message), member)
            var noInteraction: UInt32 = 0
            try Self.check(sd_bus_message_append_basic(message, Self.type("u"), &noInteraction), member)
            try SystemBus.append("", to: message, call: member)
        } read: { reply throws(BusFailure) in
            try Self.check(sd_bus_message_enter_container(reply, Self.type("r"), "bba{ss}"), member)
            var authorized: Int32 = 0
            var challenge: Int32 = 0
            try Self.check(sd_bus_message_read_basic(reply, Self.type("b"), &authorized), member)
            try Self.check(sd_bus_message_read_basic(reply, Self.type("b"), &challenge), member)
            if authorized != 0 { return .allowed }
            return challenge != 0 ? .needsAuthentication : .denied
        }
    }

    /// (sa{sv}): `unix-process` with this process's pid, start time (from /proc/self/stat, so that
    /// polkit knows the pid was not reused) and uid.
    private static func appendSubject(uid: UInt32, to message: OpaquePointer, call: String) throws(BusFailure) {
        try check(sd_bus_message_open_container(message, type("r"), "sa{sv}"), call)
        try SystemBus.append("unix-process", to: message, call: call)
        try check(sd_bus_message_open_container(message, type("a"), "{sv}"), call)
        var pid = UInt32(getpid())
        try appendVariant("pid", "u", &pid, to: message, call: call)
        var startTime = processStartTime()
        try appendVariant("start-time", "t", &startTime, to: message, call: call)
        var subjectUID = Int32(bitPattern: uid)
        try appendVariant("uid", "i", &subjectUID, to: message, call: call)
        try check(sd_bus_message_close_container(message), call)
        try check(sd_bus_message_close_container(message), call)
    }

    private static func appendVariant<T>(_ key: String, _ signature: String, _ value: inout T, to message: OpaquePointer, call: String) throws(BusFailure) {
        try check(sd_bus_message_open_container(message, type("e"), "sv"), call)
        try SystemBus.append(key, to: message, call: call)
        try check(sd_bus_message_open_container(message, type("v"), signature), call)
        try check(withUnsafeMutablePointer(to: &value) { sd_bus_message_append_basic(message, type(Character(signature)), $0) }, call)
        try check(sd_bus_message_close_container(message), call)
        try check(sd_bus_message_close_container(message), call)
    }

    /// Field 22 of /proc/self/stat (clock ticks since boot), after the parenthesised command name.
    static func processStartTime() -> UInt64 {
        guard let file = fopen("/proc/self/stat", "r") else { return 0 }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 1024)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return 0 }
        let line = String(cString: buffer)
        guard let close = line.lastIndex(of: ")") else { return 0 }
        let fields = line[line.index(after: close)...].split(separator: " ")
        // After ")": state is field 3, so start time (field 22) is the 20th.
        return fields.count > 19 ? UInt64(fields[19]) ?? 0 : 0
    }

    private static func type(_ character: Character) -> CChar {
        CChar(character.asciiValue ?? 0)
    }

    private static func check(_ result: Int32, _ call: String) throws(BusFailure) {
        guard result >= 0 else { throw BusFailure(call: call, errno: -result) }
    }
}

extension BusFailure {
    /// polkit refused the question itself (details or another user's uid from an untrusted caller).
    public var isNotTrustedCaller: Bool {
        errorName == "org.freedesktop.PolicyKit1.Error.NotAuthorized"
    }

    /// Nothing owns the name on the bus and nothing can be activated for it (polkitd not installed).
    public var isServiceMissing: Bool {
        errorName == "org.freedesktop.DBus.Error.ServiceUnknown" || errorName == "org.freedesktop.DBus.Error.NameHasNoOwner"
    }
}
