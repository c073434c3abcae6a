import AWSSigV4
import FoundationEssentials
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
    private let transport: any HTTPTransport
    private let clock: any KeyrotClock
    private let random: @Sendable () -> Double
    private let signer = SigV4Signer()
    private let logger: Logger

    /// - Parameters:
    ///   - clock: the signing time, the retry deadline and the sleeps between attempts.
    ///   - random: uniform in [0, 1), the jitter of the backoff.
    public init(endpoints: IAMEndpoints, transport: any HTTPTransport = AsyncHTTPClientTransport(),
                retryPolicy: RetryPolicy = RetryPolicy(), clock: any KeyrotClock = SystemClock(),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                logger: Logger = Logger(label: "keyrotd.iam")) {
        self.endpoints = endpoints
        self.transport = transport
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
        let start = clock.now
        var attempt = 0
        while true {
            attempt += 1
            let remaining = retryPolicy.deadline - .seconds(clock.now.timeIntervalSince(start))
            let failure: IAMError
            do {
                return try await attemptOnce(action, endpoint: endpoint, body: body, credentials: credentials,
                                             timeout: min(retryPolicy.requestTimeout, remaining))
            } catch let error as IAMError {
                failure = error.during(action, service: endpoint.signingService, endpoint: endpoint.url.absoluteString, attempts: attempt)
            }
            switch failure.code {
            case .throttled, .unreachable: break
            case .serviceFailure where idempotent, .timedOut where idempotent, .connectionLost where idempotent: break
            case .timedOut, .connectionLost: throw failure.recoded(.ambiguous)
            default: throw failure
            }
            let delay = retryPolicy.delay(afterAttempt: attempt, random: random())
            let elapsed = Duration.seconds(clock.now.timeIntervalSince(start))
            guard attempt < retryPolicy.maxAttempts, elapsed + delay < retryPolicy.deadline else { throw failure }
            logger.debug("retrying after a temporary failure", metadata: [
                "action": "\(action)", "attempt": "\(attempt)", "delay": "\(delay)",
                "error": "\(failure.answer.map { "\($0.code) (HTTP \($0.httpStatus))" } ?? failure.code.rawValue)",
            ])
            try await clock.sleep(for: delay)
        }
    }

    /// Signs (at the clock's time) and sends one request; maps the answer.
    private func attemptOnce(_ action: String, endpoint: ServiceEndpoint, body: [UInt8], credentials: Credentials,
                             timeout: Duration) async throws -> ResponseElement {
        guard timeout > .zero else { throw IAMError(.timedOut, detail: "retry deadline reached") }
        var headers = [
            HTTPHeaderField(name: "Content-Type", value: Self.contentType),
            HTTPHeaderField(name: "Host", value: endpoint.hostHeader),
        ]
        let path = endpoint.url.path.isEmpty ? "/" : endpoint.url.path
        let signature = signer.sign(
            SigV4Request(method: "POST", path: path, headers: headers, payloadHash: SigV4Signer.payloadHash(body)),
            credentials: credentials, scope: SigningScope(region: endpoint.signingRegion, service: endpoint.signingService),
            date: clock.now)
        headers += SigV4Signer.headersToAdd(for: signature, credentials: credentials)
        let request = HTTPRequestData(url: endpoint.url, method: "POST", headers: headers, body: body)

        let response: HTTPResponseData
        do {
            response = try await transport.send(request, timeout: timeout)
        } catch let error as IAMError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw IAMError(.connectionLost, detail: String(describing: type(of: error)), cause: error)
        }
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
