import AWSSigV4
import Foundation
import IAMClient
import KeyrotCore
import Logging

/// One JSON-protocol AWS service (Secrets Manager, DynamoDB): signed POSTs of a JSON body to `/`
/// with `X-Amz-Target`, JSON answers, typed errors, retries. Shares the transport, the retry loop
/// and the endpoint rules with the IAM client.
///
/// Every call takes the `Credentials` to sign with: a fleet host signs with the key in its files,
/// which changes with each rotation. Safe to share between tasks.
public struct AWSJSONClient: Sendable {
    public let service: JSONService
    public let retryPolicy: RetryPolicy
    private let post: SignedPost
    private let clock: any KeyrotClock
    private let random: @Sendable () -> Double
    private let logger: Logger

    /// - Parameters:
    ///   - clock: the signing time, the retry deadline and the sleeps between attempts.
    ///   - random: uniform in [0, 1), the jitter of the backoff.
    public init(service: JSONService, transport: any HTTPTransport = AsyncHTTPClientTransport(),
                retryPolicy: RetryPolicy = RetryPolicy(), clock: any KeyrotClock = SystemClock(),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                logger: Logger = Logger(label: "keyrotd.fleet")) {
        self.service = service
        post = SignedPost(transport: transport, clock: clock)
        self.retryPolicy = retryPolicy
        self.clock = clock
        self.random = random
        self.logger = logger
    }

    /// Calls `operation` with `payload` and returns the JSON answer (an empty object for an empty body).
    ///
    /// - Parameter idempotent: false for calls whose repetition could change the outcome (a
    ///   conditional write whose first attempt may have applied): they are retried only when the
    ///   request certainly had no effect, and a connection lost after sending becomes
    ///   ``AWSServiceError/Code/ambiguous``.
    /// - Throws: ``AWSServiceError`` (or `CancellationError`).
    public func perform(_ operation: String, _ payload: JSONValue, credentials: Credentials, idempotent: Bool = true) async throws -> JSONValue {
        let body = payload.serialized()
        let endpoint = service.endpoint
        return try await retryPolicy.run(clock: clock, random: random, attempt: { _, timeout in
            try await attemptOnce(operation, body: body, credentials: credentials, timeout: timeout)
        }, verdict: { error, attempt in
            guard let error = error as? AWSServiceError else { return .fail(error) }
            let failure = error.during(operation, service: endpoint.signingService, endpoint: endpoint.url.absoluteString, attempts: attempt)
            switch failure.code {
            case .throttled, .unreachable: return .retry(failure)
            case .serviceFailure where idempotent, .timedOut where idempotent, .connectionLost where idempotent: return .retry(failure)
            case .timedOut, .connectionLost, .serviceFailure: return .fail(failure.recoded(.ambiguous))
            default: return .fail(failure)
            }
        }, willRetry: { failure, attempt, delay in
            let failure = failure as? AWSServiceError
            logger.debug("retrying after a temporary failure", metadata: [
                "operation": "\(operation)", "attempt": "\(attempt)", "delay": "\(delay)",
                "error": "\(failure?.answer.map { "\($0.code) (HTTP \($0.httpStatus))" } ?? failure?.code.rawValue ?? "")",
            ])
        })
    }

    /// Signs (at the clock's time) and sends one request; maps the answer.
    private func attemptOnce(_ operation: String, body: [UInt8], credentials: Credentials, timeout: Duration) async throws -> JSONValue {
        let endpoint = service.endpoint
        let response: HTTPResponseData
        do {
            response = try await post.send(body, contentType: service.contentType,
                                           extraHeaders: [HTTPHeaderField(name: "X-Amz-Target", value: "\(service.targetPrefix).\(operation)")],
                                           to: endpoint, credentials: credentials, timeout: timeout)
        } catch let error as IAMError {
            throw AWSServiceError(.init(transport: error.code), detail: error.detail, cause: error)
        }
        logger.debug("\(endpoint.signingService) answer", metadata: ["operation": "\(operation)", "status": "\(response.status)"])

        guard (200..<300).contains(response.status) else { throw JSONErrorParser.error(response) }
        if response.body.isEmpty { return .object([:]) }
        guard let document = JSONValue.parse(response.body), document.object != nil else {
            throw AWSServiceError(.invalidResponse, detail: "HTTP \(response.status) with a body that is not a JSON object (\(response.body.count) bytes)")
        }
        return document
    }
}
