import IAMClient

/// An IAM transport made of a closure, for unit tests of the IAM client.
public struct ClosureTransport: HTTPTransport {
    private let handler: @Sendable (HTTPRequestData, Duration) async throws -> HTTPResponseData

    public init(_ handler: @escaping @Sendable (HTTPRequestData, Duration) async throws -> HTTPResponseData) {
        self.handler = handler
    }

    public func send(_ request: HTTPRequestData, timeout: Duration) async throws -> HTTPResponseData {
        try await handler(request, timeout)
    }
}
