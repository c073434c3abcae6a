internal import CSystemd
import Glibc

/// One connection to the system bus through libsystemd's sd-bus, used from one thread for one
/// piece of work and then closed. Every call blocks: callers keep it off Swift's cooperative pool.
final class SystemBus {
    static let systemd = "org.freedesktop.systemd1"
    static let managerPath = "/org/freedesktop/systemd1"
    static let manager = "org.freedesktop.systemd1.Manager"
    static let unitInterface = "org.freedesktop.systemd1.Unit"

    private let handle: OpaquePointer
    /// The matches installed, and where their callbacks write: both live as long as the bus.
    private var slots: [OpaquePointer] = []
    private var sinks: [FinishedJobs] = []

    init() throws(BusFailure) {
        var bus: OpaquePointer?
        let result = sd_bus_open_system(&bus)
        guard result >= 0, let bus else { throw BusFailure(call: "sd_bus_open_system", errno: -result) }
        handle = bus
    }

    deinit {
        for slot in slots { sd_bus_slot_unref(slot) }
        sd_bus_flush_close_unref(handle)
    }

    /// Calls a method of systemd with string arguments; returns its reply's first value when
    /// `reply` names its type (`o` or `s`), else nil. Waits at most `timeoutMicroseconds`.
    func callSystemd(_ member: String, path: String = managerPath, interface: String = manager,
                     strings: [String] = [], reply type: Character? = nil, timeoutMicroseconds: UInt64) throws(BusFailure) -> String? {
        try call(Self.systemd, path: path, interface: interface, member: member, timeoutMicroseconds: timeoutMicroseconds) { message throws(BusFailure) in
            for value in strings { try Self.append(value, to: message, call: member) }
        } read: { answer throws(BusFailure) in
            guard let type else { return nil }
            var value: UnsafePointer<CChar>?
            let result = sd_bus_message_read_basic(answer, CChar(type.asciiValue ?? 0), &value)
            guard result > 0, let value else { throw BusFailure(call: member, errno: result < 0 ? -result : EBADMSG) }
            return String(cString: value)
        }
    }

    /// Calls `member`: `append` writes the arguments into the message, `read` reads the reply.
    func call<T>(_ destination: String, path: String, interface: String, member: String, timeoutMicroseconds: UInt64,
                 append: (OpaquePointer) throws(BusFailure) -> Void,
                 read: (OpaquePointer) throws(BusFailure) -> T) throws(BusFailure) -> T {
        var message: OpaquePointer?
        var result = sd_bus_message_new_method_call(handle, &message, destination, path, interface, member)
        guard result >= 0, let message else { throw BusFailure(call: member, errno: -result) }
        defer { sd_bus_message_unref(message) }
        try append(message)
        var error = sd_bus_error(name: nil, message: nil, _need_free: 0)
        defer { sd_bus_error_free(&error) }
        var answer: OpaquePointer?
        result = sd_bus_call(handle, message, timeoutMicroseconds, &error, &answer)
        guard result >= 0, let answer else {
            throw BusFailure(call: member, errno: result < 0 ? -result : EBADMSG, errorName: error.name.map { String(cString: $0) },
                             errorMessage: error.message.map { String(cString: $0) })
        }
        defer { sd_bus_message_unref(answer) }
        return try read(answer)
    }

    /// Appends one string argument.
    static func append(_ value: String, to message: OpaquePointer, call: String) throws(BusFailure) {
        let result = value.withCString { sd_bus_message_append_basic(message, CChar(UInt8(ascii: "s")), $0) }
        guard result >= 0 else { throw BusFailure(call: call, errno: -result) }
    }

    /// A string property of a systemd object (a unit's `ActiveState`).
    func stringProperty(path: String, interface: String, name: String) throws(BusFailure) -> String {
        var error = sd_bus_error(name: nil, message: nil, _need_free: 0)
        defer { sd_bus_error_free(&error) }
        var value: UnsafeMutablePointer<CChar>?
        let result = sd_bus_get_property_string(handle, Self.systemd, path, interface, name, &error, &value)
        guard result >= 0, let value else {
            throw BusFailure(call: "Get \(name)", errno: result < 0 ? -result : EBADMSG,
                             errorName: error.name.map { String(cString: $0) }, errorMessage: error.message.map { String(cString: $0) })
        }
        defer { free(value) }
        return String(cString: value)
    }

    /// Installs a match on the manager's `JobRemoved` signal; the finished jobs collect in `jobs`
    /// as `process` dispatches them. The match lives as long as the bus.
    func watchJobRemoved(into jobs: FinishedJobs) throws(BusFailure) {
        var slot: OpaquePointer?
        let result = sd_bus_match_signal(handle, &slot, Self.systemd, Self.managerPath, Self.manager, "JobRemoved", { message, userdata, _ in
            guard let message, let userdata else { return 0 }
            let jobs = Unmanaged<FinishedJobs>.fromOpaque(userdata).takeUnretainedValue()
            var id: UInt32 = 0
            var job: UnsafePointer<CChar>?
            var unit: UnsafePointer<CChar>?
            var outcome: UnsafePointer<CChar>?
            guard sd_bus_message_read_basic(message, CChar(UInt8(ascii: "u")), &id) > 0,
                  sd_bus_message_read_basic(message, CChar(UInt8(ascii: "o")), &job) > 0,
                  sd_bus_message_read_basic(message, CChar(UInt8(ascii: "s")), &unit) > 0,
                  sd_bus_message_read_basic(message, CChar(UInt8(ascii: "s")), &outcome) > 0,
                  let job, let outcome else { return 0 }
            jobs.results[String(cString: job)] = String(cString: outcome)
            return 0
        }, Unmanaged.passUnretained(jobs).toOpaque())
        guard result >= 0 else { throw BusFailure(call: "AddMatch JobRemoved", errno: -result) }
        sinks.append(jobs)
        if let slot { slots.append(slot) }
    }

    /// Dispatches what has arrived; true when a message was processed (call again at once).
    func process() throws(BusFailure) -> Bool {
        let result = sd_bus_process(handle, nil)
        guard result >= 0 else { throw BusFailure(call: "sd_bus_process", errno: -result) }
        return result > 0
    }

    /// Waits up to `microseconds` for something to arrive.
    func wait(microseconds: UInt64) throws(BusFailure) {
        let result = sd_bus_wait(handle, microseconds)
        guard result >= 0 || result == -EINTR else { throw BusFailure(call: "sd_bus_wait", errno: -result) }
    }
}

/// The results of the `JobRemoved` signals seen, by job object path. Touched only by the thread
/// that owns the bus (the signal callback runs inside `SystemBus.process`).
final class FinishedJobs {
    var results: [String: String] = [:]
}
