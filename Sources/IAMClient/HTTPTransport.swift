import AWSSigV4
import Foundation

/// One outgoing HTTP request, already signed.
public struct HTTPRequestData: Sendable {
    public var url: URL
    public var method: String
    public var headers: [HTTPHeaderField]
    public var body: [UInt8]

    public init(url: URL, method: String, headers: [HTTPHeaderField], body: [UInt8]) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// One HTTP response with its whole (bounded) body.
public struct HTTPResponseData: Sendable {
    public var status: Int
    public var headers: [HTTPHeaderField]
    public var body: [UInt8]

    public init(status: Int, headers: [HTTPHeaderField] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Sends one request. Implementations throw ``TransportFailure`` for network-level failures.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequestData, timeout: Duration) async throws -> HTTPResponseData
}

/// A transport made of a closure, for unit tests.
public struct ClosureTransport: HTTPTransport {
    private let handler: @Sendable (HTTPRequestData, Duration) async throws -> HTTPResponseData

    public init(_ handler: @escaping @Sendable (HTTPRequestData, Duration) async throws -> HTTPResponseData) {
        self.handler = handler
    }

    public func send(_ request: HTTPRequestData, timeout: Duration) async throws -> HTTPResponseData {
        try await handler(request, timeout)
    }
}

/// A network-level failure, classified by what it means for the request's effect.
public struct TransportFailure: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// No connection could be made: the request was certainly not sent.
        case unreachable
        /// No complete response within the timeout: the request may have been applied.
        case timedOut
        /// The connection broke after the request may have been sent.
        case connectionLost
        /// The response body exceeded the size limit.
        case responseTooLarge
        /// The server's TLS certificate was not accepted (or TLS could not be negotiated): the
        /// request was not sent, and another attempt meets the same certificate.
        case certificateRejected
    }

    public let kind: Kind
    public let detail: String

    public init(kind: Kind, detail: String) {
        self.kind = kind
        self.detail = detail
    }

    public var description: String { "\(kind.rawValue): \(detail)" }
}
