import AWSSigV4
import FoundationEssentials

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

/// Sends one request. Implementations throw ``IAMError`` for network-level failures, with the
/// code that says what the failure means for the request's effect and the error they caught as cause.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequestData, timeout: Duration) async throws -> HTTPResponseData
}
