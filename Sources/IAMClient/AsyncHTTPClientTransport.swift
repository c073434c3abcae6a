import AsyncHTTPClient
import AWSSigV4
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// The production transport: AsyncHTTPClient with TLS certificate verification on, no redirects,
/// `HTTPS_PROXY`/`NO_PROXY` honoured per host, and a bounded response body.
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
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        do {
            let response = try await client.execute(outgoing, timeout: TimeAmount.nanoseconds(nanoseconds))
            let body = try await response.body.collect(upTo: maxResponseBytes)
            return HTTPResponseData(
                status: Int(response.status.code),
                headers: response.headers.map { HTTPHeaderField(name: $0.name, value: $0.value) },
                body: Array(body.readableBytesView))
        } catch is NIOTooManyBytesError {
            throw TransportFailure(kind: .responseTooLarge, detail: "response body larger than \(maxResponseBytes) bytes")
        } catch let error as HTTPClientError {
            throw Self.classify(error)
        } catch let error as IOError where [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH].contains(error.errnoCode) {
            throw TransportFailure(kind: .unreachable, detail: "connection refused or no route to host")
        } catch {
            let typeName = String(describing: type(of: error))
            if typeName.contains("Connect") {
                throw TransportFailure(kind: .unreachable, detail: typeName)
            }
            throw TransportFailure(kind: .connectionLost, detail: typeName)
        }
    }

    private static func classify(_ error: HTTPClientError) -> TransportFailure {
        switch error {
        case .connectTimeout: TransportFailure(kind: .unreachable, detail: "connect timed out")
        case .deadlineExceeded, .readTimeout, .writeTimeout: TransportFailure(kind: .timedOut, detail: "no response within the timeout")
        case .remoteConnectionClosed: TransportFailure(kind: .connectionLost, detail: "the server closed the connection")
        default: TransportFailure(kind: .connectionLost, detail: error.description)
        }
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
