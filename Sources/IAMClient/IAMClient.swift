import AWSSigV4
import Foundation
import KeyrotCore
import Logging

/// IAM and STS over the Query API: signed POST form bodies, XML answers, typed results, retries.
///
/// Every call takes the `Credentials` to sign with, because keyrotd signs with the old key and the
/// new key at different steps of a rotation. Safe to share between tasks.
public struct IAMClient: Sendable {
    public enum Service: String, Sendable {
        case iam
        case sts

        var apiVersion: String { self == .iam ? "2010-05-08" : "2011-06-15" }
    }

    public static let contentType = "application/x-www-form-urlencoded; charset=utf-8"
    /// A server `Date` this far from our clock turns a signature error into a clock-skew error.
    static let clockSkewTolerance: TimeInterval = 300

    public let endpoints: IAMEndpoints
    public let retryPolicy: RetryPolicy
    private let post: SignedPost
    private let clock: any KeyrotClock
    private let random: @Sendable () -> Double
    private let logger: Logger

    /// - Parameters:
    ///   - clock: the signing time, the retry deadline and the sleeps between attempts.
    ///   - random: uniform in [0, 1), the jitter of the backoff.
    public init(endpoints: IAMEndpoints, transport: any HTTPTransport = AsyncHTTPClientTransport(),
                retryPolicy: RetryPolicy = RetryPolicy(), clock: any KeyrotClock = SystemClock(),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                logger: Logger = Logger(label: "keyrotd.iam")) {
        self.endpoints = endpoints
        post = SignedPost(transport: transport, clock: clock)
        self.retryPolicy = retryPolicy
        self.clock = clock
        self.random = random
        self.logger = logger
    }

    /// Calls any Query action and returns the parsed XML answer.
    ///
    /// - Parameter idempotent: false for actions that must not be repeated blindly (CreateAccessKey):
    ///   they are retried only when the request certainly had no effect (throttled, or no connection),
    ///   and a connection lost after sending becomes ``IAMError/Code/ambiguous``.
    /// - Throws: ``IAMError``.
    public func perform(_ action: String, service: Service, parameters: [(name: String, value: String)] = [],
                        credentials: Credentials, idempotent: Bool = true) async throws -> ResponseElement {
        let endpoint = service == .iam ? endpoints.iam : endpoints.sts
        let body = Array(FormEncoder.encode([("Action", action), ("Version", service.apiVersion)] + parameters).utf8)
        return try await retryPolicy.run(clock: clock, random: random, attempt: { _, timeout in
            try await attemptOnce(action, endpoint: endpoint, body: body, credentials: credentials, timeout: timeout)
        }, verdict: { error, attempt in
            guard let error = error as? IAMError else { return .fail(error) }
            let failure = error.during(action, service: endpoint.signingService, endpoint: endpoint.url.absoluteString, attempts: attempt)
            switch failure.code {
            case .throttled, .unreachable: return .retry(failure)
            case .serviceFailure where idempotent, .timedOut where idempotent, .connectionLost where idempotent: return .retry(failure)
            case .timedOut, .connectionLost: return .fail(failure.recoded(.ambiguous))
            default: return .fail(failure)
            }
        }, willRetry: { failure, attempt, delay in
            let failure = failure as? IAMError
            logger.debug("retrying after a temporary failure", metadata: [
                "action": "\(action)", "attempt": "\(attempt)", "delay": "\(delay)",
                "error": "\(failure?.answer.map { "\($0.code) (HTTP \($0.httpStatus))" } ?? failure?.code.rawValue ?? "")",
            ])
        })
    }

    /// Signs (at the clock's time) and sends one request; maps the answer.
    private func attemptOnce(_ action: String, endpoint: ServiceEndpoint, body: [UInt8], credentials: Credentials,
                             timeout: Duration) async throws -> ResponseElement {
        let response = try await post.send(body, contentType: Self.contentType, to: endpoint, credentials: credentials, timeout: timeout)
        logger.debug("IAM/STS answer", metadata: ["action": "\(action)", "status": "\(response.status)"])

        guard (200..<300).contains(response.status) else { throw awsError(from: response) }
        guard let root = ResponseElement.parse(response.body) else {
            throw IAMError(.invalidResponse, detail: "HTTP \(response.status) with a body that is not XML (\(response.body.count) bytes)")
        }
        return root
    }

    /// The error answer in `response`, typed by its AWS code; a signature refused while the server's
    /// `Date` is far from our clock is a clock error, whatever code it came with.
    private func awsError(from response: HTTPResponseData) -> IAMError {
        let answer = ErrorResponseParser.answer(response.body, httpStatus: response.status)
        let serverOffset = response.header("Date").flatMap(HTTPDate.parse).map { $0.timeIntervalSince(clock.now) }
        let code = IAMError.Code(awsCode: answer.code, httpStatus: answer.httpStatus)
        switch code {
        case .clockSkew:
            return IAMError(code: .clockSkew, answer: answer, clockSkew: serverOffset ?? 0)
        case .wrongSecret where abs(serverOffset ?? 0) > Self.clockSkewTolerance:
            return IAMError(code: .clockSkew, answer: answer, clockSkew: serverOffset)
        default:
            return IAMError(code: code, answer: answer, clockSkew: nil)
        }
    }
}
