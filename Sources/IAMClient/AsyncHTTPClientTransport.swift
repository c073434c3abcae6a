import AsyncHTTPClient
import AWSSigV4
import FoundationEssentials
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// The production transport: AsyncHTTPClient with TLS certificate verification on, no redirects,
/// `HTTPS_PROXY`/`NO_PROXY` honoured per host, a bounded response body, and one deadline per
/// request covering connect, headers and body.
public struct AsyncHTTPClientTransport: HTTPTransport {
    /// Largest response body read; IAM answers are a few KiB.
    public static let defaultMaxResponseBytes = 1 << 20

    private let proxySettings: ProxySettings
    private let maxResponseBytes: Int

    public init(proxySettings: ProxySettings = ProxySettings(environment: ProcessInfo.processInfo.environment),
                maxResponseBytes: Int = defaultMaxResponseBytes) {
        self.proxySettings = proxySettings
        self.maxResponseBytes = maxResponseBytes
    }

    public func send(_ request: HTTPRequestData, timeout: Duration) async throws -> HTTPResponseData {
        let proxy = proxySettings.proxy(forHost: request.url.host ?? "").map { HTTPClient.Configuration.Proxy.server(host: $0.host, port: $0.port) }
        let client = SharedClients.client(proxy: proxy)
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = .RAW(value: request.method)
        for field in request.headers {
            outgoing.headers.add(name: field.name, value: field.value)
        }
        outgoing.body = .bytes(request.body)
        let prepared = outgoing
        let maxResponseBytes = self.maxResponseBytes
        do {
            return try await Self.within(timeout) {
                let response = try await client.execute(prepared, timeout: TimeAmount(timeout))
                let body = try await response.body.collect(upTo: maxResponseBytes)
                return HTTPResponseData(
                    status: Int(response.status.code),
                    headers: response.headers.map { HTTPHeaderField(name: $0.name, value: $0.value) },
                    body: Array(body.readableBytesView))
            }
        } catch let error as DeadlineExceeded {
            throw IAMError(.timedOut, detail: "no complete response within \(timeout)", cause: error)
        } catch let error as NIOTooManyBytesError {
            throw IAMError(.responseTooLarge, detail: "response body larger than \(maxResponseBytes) bytes", cause: error)
        } catch let error as HTTPClientError {
            throw Self.classify(error)
        } catch let error as NIOSSLError {
            throw IAMError(.certificateRejected, detail: "TLS handshake failed: \(error)", cause: error)
        } catch let error as NIOSSLExtraError {
            throw IAMError(.certificateRejected, detail: "\(error)", cause: error)
        } catch let error as NIOConnectionError {
            throw IAMError(.unreachable, detail: "could not connect to any address of the host", cause: error)
        } catch let error as IOError where [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH].contains(error.errnoCode) {
            throw IAMError(.unreachable, detail: "connection refused or no route to host", cause: error)
        } catch let error as ChannelError {
            if case .connectTimeout = error { throw IAMError(.unreachable, detail: "connect timed out", cause: error) }
            throw IAMError(.connectionLost, detail: "\(error)", cause: error)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw IAMError(.connectionLost, detail: String(describing: type(of: error)), cause: error)
        }
    }

    /// Runs `exchange` under one deadline. AsyncHTTPClient's own timeout ends when the response
    /// head arrives, and its read timeout restarts with every byte, so a server trickling its body
    /// could hold an attempt for ever. The deadline is measured on the monotonic clock: it bounds a
    /// network exchange, which a wall-clock step (NTP, a test's manual clock) must not stretch or cut.
    private static func within<Result: Sendable>(
        _ timeout: Duration, _ exchange: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        try await withThrowingTaskGroup(of: Result.self) { group in
            group.addTask(operation: exchange)
            group.addTask {
                try await ContinuousClock().sleep(for: timeout)
                throw DeadlineExceeded()
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    private struct DeadlineExceeded: Error {}

    private static func classify(_ error: HTTPClientError) -> IAMError {
        switch error {
        case .connectTimeout: IAMError(.unreachable, detail: "connect timed out", cause: error)
        case .deadlineExceeded, .readTimeout, .writeTimeout: IAMError(.timedOut, detail: "no response within the timeout", cause: error)
        case .remoteConnectionClosed: IAMError(.connectionLost, detail: "the server closed the connection", cause: error)
        default: IAMError(.connectionLost, detail: error.description, cause: error)
        }
    }
}

extension TimeAmount {
    fileprivate init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// One `HTTPClient` per proxy setting for the life of the process (a daemon talks to IAM until it
/// exits; an `HTTPClient` that is never released never needs `shutdown()`).
private enum SharedClients {
    private static let clients = Mutex<[HTTPClient.Configuration.Proxy?: HTTPClient]>([:])

    static func client(proxy: HTTPClient.Configuration.Proxy?) -> HTTPClient {
        clients.withLock { clients in
            if let existing = clients[proxy] { return existing }
            var configuration = HTTPClient.Configuration(
                certificateVerification: .fullVerification,
                redirectConfiguration: .disallow,
                timeout: .init(connect: .seconds(10)),
                proxy: proxy)
            configuration.httpVersion = .http1Only
            // A failed connection attempt fails the request at once, and IAMClient's RetryPolicy
            // decides what happens next. By default the pool would keep reconnecting until the
            // request's own timeout ran out, so each attempt against a dead endpoint took 10 s or more.
            configuration.connectionPool.retryConnectionEstablishment = false
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            clients[proxy] = client
            return client
        }
    }
}
