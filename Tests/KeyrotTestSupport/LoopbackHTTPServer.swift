import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 with a scripted answer per request, for retry and timeout
/// tests: answer with a status and body, never answer, or drop the connection.
///
/// One thread per connection, `Connection: close` after each answer. Stop it with ``shutdown()``.
public final class LoopbackHTTPServer: Sendable {
    public enum Reply: Sendable {
        case respond(status: Int, headers: [String: String] = [:], body: String)
        /// Read the request and keep the connection open without answering (until shutdown).
        case neverAnswer
        /// Read the request and close the connection without answering.
        case closeConnection
        /// Send the status line and headers (with the full `Content-Length`) at once, then the body
        /// one byte per `byteInterval`: a peer that keeps a connection alive without ever finishing.
        case trickle(status: Int, body: String, byteInterval: Duration)
    }

    /// One request as the server received it.
    public struct ReceivedRequest: Sendable {
        public let requestLine: String
        public let headers: [String: String]
        public let body: String

        /// Header by lowercase name.
        public func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    public let port: Int
    private let listener: Int32
    /// Chooses the answer from the request itself; when set, `replies` is not used.
    private let responder: (@Sendable (ReceivedRequest) -> Reply)?
    private let state: Mutex<State>

    private struct State {
        var replies: [Reply]
        var received: [ReceivedRequest] = []
        var openConnections: Set<Int32> = []
        var stopped = false
    }

    /// - Parameter replies: the answer to each successive request; the last one repeats.
    public init(replies: [Reply]) throws {
        precondition(!replies.isEmpty, "LoopbackHTTPServer needs at least one reply")
        let (listener, port) = try LoopbackSocket.listen()
        self.listener = listener
        self.port = port
        responder = nil
        state = Mutex(State(replies: replies))
        let server = self
        Thread.detachNewThread { server.acceptLoop() }
    }

    /// - Parameter responder: chooses the answer to each request from the request (e.g. by the
    ///   access key id in its `Authorization` header); called on the connection's thread.
    public init(responder: @escaping @Sendable (ReceivedRequest) -> Reply) throws {
        let (listener, port) = try LoopbackSocket.listen()
        self.listener = listener
        self.port = port
        self.responder = responder
        state = Mutex(State(replies: [.closeConnection]))
        let server = self
        Thread.detachNewThread { server.acceptLoop() }
    }

    public var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    public var receivedRequests: [ReceivedRequest] { state.withLock { $0.received } }

    /// Stops accepting and shuts down every open connection.
    ///
    /// Descriptors are only ever closed by the thread that owns them (the accept loop closes the
    /// listener, each connection thread its connection), and connections are shut down under the
    /// lock their thread takes before closing: a descriptor number released here could otherwise
    /// be reused at once by another server in a parallel test and be served or cut by this one.
    public func shutdown() {
        state.withLock { state in
            state.stopped = true
            Glibc.shutdown(listener, Int32(SHUT_RDWR))
            for connection in state.openConnections { Glibc.shutdown(connection, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            let accepted = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.openConnections.insert(connection)
                return true
            }
            guard accepted else { close(connection); return }
            let server = self
            Thread.detachNewThread { server.serve(connection) }
        }
    }

    private func serve(_ connection: Int32) {
        defer {
            _ = state.withLock { $0.openConnections.remove(connection) }
            close(connection)
        }
        guard let request = LoopbackSocket.readRequest(connection) else { return }
        let scripted = state.withLock { state -> Reply in
            state.received.append(request)
            return state.replies.count > 1 ? state.replies.removeFirst() : state.replies[0]
        }
        let reply = responder?(request) ?? scripted
        switch reply {
        case .respond(let status, let headers, let body):
            LoopbackSocket.writeAll(connection, Array((Self.head(status: status, headers: headers, bodyLength: body.utf8.count) + body).utf8))
        case .trickle(let status, let body, let byteInterval):
            LoopbackSocket.writeAll(connection, Array(Self.head(status: status, headers: [:], bodyLength: body.utf8.count).utf8))
            let pause = Double(byteInterval.components.seconds) + Double(byteInterval.components.attoseconds) / 1e18
            for byte in body.utf8 {
                guard !state.withLock({ $0.stopped }), LoopbackSocket.writeAll(connection, [byte]) else { return }
                Thread.sleep(forTimeInterval: pause)
            }
        case .neverAnswer:
            var byte: UInt8 = 0
            while recv(connection, &byte, 1, 0) > 0 {}
        case .closeConnection:
            break
        }
    }

    private static func head(status: Int, headers: [String: String], bodyLength: Int) -> String {
        var head = "HTTP/1.1 \(status) \(status < 400 ? "OK" : "Error")\r\nContent-Length: \(bodyLength)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        return head + "\r\n"
    }
}

/// Blocking socket helpers for ``LoopbackHTTPServer`` and free-port discovery.
enum LoopbackSocket {
    struct SocketError: Error, CustomStringConvertible {
        let call: String
        let errno: Int32
        var description: String { "\(call) failed: errno \(errno); check that 127.0.0.1 is usable" }
    }

    /// A listening TCP socket on 127.0.0.1 with a kernel-chosen port.
    static func listen() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError(call: "socket", errno: errno) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { close(fd); throw SocketError(call: "bind", errno: errno) }
        guard Glibc.listen(fd, 16) == 0 else { close(fd); throw SocketError(call: "listen", errno: errno) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { close(fd); throw SocketError(call: "getsockname", errno: errno) }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A loopback port that was free a moment ago (for child servers that need a `-p` argument).
    static func freePort() throws -> Int {
        let (fd, port) = try listen()
        close(fd)
        return port
    }

    static func readRequest(_ fd: Int32) -> LoopbackHTTPServer.ReceivedRequest? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        while headerEnd == nil {
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { return nil }
            data += buffer[0..<count]
            if data.count >= 4 {
                headerEnd = (0...(data.count - 4)).first { Array(data[$0..<($0 + 4)]) == separator }
            }
        }
        guard let headerEnd else { return nil }
        let head = String(decoding: data[0..<headerEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst()
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        var body = Array(data[(headerEnd + 4)...])
        while body.count < length {
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { return nil }
            body += buffer[0..<count]
        }
        return LoopbackHTTPServer.ReceivedRequest(requestLine: requestLine, headers: headers, body: String(decoding: body, as: UTF8.self))
    }

    /// Sends every byte; false when the peer went away first.
    @discardableResult
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }
}
