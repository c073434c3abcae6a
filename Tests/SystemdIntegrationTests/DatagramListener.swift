import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A test peer: an AF_UNIX datagram socket bound to a path or an abstract name, whose received
/// datagrams the test reads back. Stands in for systemd's notify socket or journald's socket.
final class DatagramListener {
    let descriptor: Int32
    /// The address as `$NOTIFY_SOCKET` writes it (`@name` for an abstract name).
    let address: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Binds `"\0keyrotd-test-<random>"` in the abstract namespace.
    static func abstract() throws -> DatagramListener {
        try DatagramListener(address: "@keyrotd-test-\(UUID().uuidString.lowercased())")
    }

    init(address: String) throws {
        self.address = address
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var path = Array(address.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }
        let length = MemoryLayout<sa_family_t>.size + path.count
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (index, byte) in path.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(length)) }
        }
        guard bound == 0 else {
            let code = errno
            close(descriptor)
            throw Failure(description: "bind \(address): errno \(code)")
        }
    }

    deinit {
        close(descriptor)
    }

    /// The next datagram as text, or nil when none arrives within `timeout`.
    func receive(timeout: Duration = .seconds(2)) -> String? {
        receiveBytes(timeout: timeout).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The next datagram, or nil when none arrives within `timeout`.
    func receiveBytes(timeout: Duration = .seconds(2)) -> [UInt8]? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&poller, 1, milliseconds) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { return nil }
        return Array(buffer.prefix(count))
    }

    /// Every datagram already queued, without waiting.
    func drain() -> [String] {
        var all: [String] = []
        while let next = receive(timeout: .zero) { all.append(next) }
        return all
    }
}
