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
    private let transport: any HTTPTransport
    private let environment: ClientEnvironment
    private let signer: SigV4Signer
    private let logger: Logger

    public init(endpoints: IAMEndpoints, transport: any HTTPTransport = AsyncHTTPClientTransport(),
                retryPolicy: RetryPolicy = RetryPolicy(), environment: ClientEnvironment = .live,
                logger: Logger = Logger(label: "keyrotd.iam")) {
        self.endpoints = endpoints
        self.transport = transport
        self.retryPolicy = retryPolicy
        self.environment = environment
        self.signer = SigV4Signer()
        self.logger = logger
    }

    /// Calls any Query action and returns the parsed XML answer.
    ///
    /// - Parameter idempotent: false for actions that must not be repeated blindly (CreateAccessKey):
    ///   they are retried only when the request certainly had no effect (throttled, or no connection),
    ///   and a connection lost after sending becomes ``IAMTransportError/Code/ambiguous``.
    /// - Throws: ``AWSError`` for an AWS error answer, ``IAMTransportError`` otherwise.
    public func perform(_ action: String, service: Service, parameters: [(name: String, value: String)] = [],
                        credentials: Credentials, idempotent: Bool = true) async throws -> ResponseElement {
        let endpoint = service == .iam ? endpoints.iam : endpoints.sts
        let body = Array(FormEncoder.encode([("Action", action), ("Version", service.apiVersion)] + parameters).utf8)
        let start = environment.now()
        var attempt = 0
        while true {
            attempt += 1
            let remaining = retryPolicy.deadline - .seconds(environment.now().timeIntervalSince(start))
            let failure: any Error
            do {
                return try await attemptOnce(action, endpoint: endpoint, body: body, credentials: credentials,
                                             timeout: min(retryPolicy.requestTimeout, remaining))
            } catch let error as AWSError {
                guard error.isRetryable, !error.isClockSkew,
                      idempotent || AWSError.throttlingCodes.contains(error.code) else { throw error }
                failure = error
            } catch let error as IAMTransportError {
                switch error.code {
                case .unreachable: break
                case .timedOut where idempotent, .connectionLost where idempotent: break
                case .timedOut, .connectionLost:
                    throw IAMTransportError(code: .ambiguous, action: action, endpoint: error.endpoint,
                                            detail: error.detail, attempts: attempt)
                default: throw error
                }
                failure = error
            }
            let delay = retryPolicy.delay(afterAttempt: attempt, random: environment.random())
            let elapsed = Duration.seconds(environment.now().timeIntervalSince(start))
            guard attempt < retryPolicy.maxAttempts, elapsed + delay < retryPolicy.deadline else {
                if let transportError = failure as? IAMTransportError {
                    throw IAMTransportError(code: transportError.code, action: action, endpoint: transportError.endpoint,
                                            detail: transportError.detail, attempts: attempt)
                }
                throw failure
            }
            logger.debug("retrying after a temporary failure", metadata: [
                "action": "\(action)", "attempt": "\(attempt)", "delay": "\(delay)", "error": "\(Self.summary(of: failure))",
            ])
            try await environment.sleep(delay)
        }
    }

    /// Signs (with the current time) and sends one request; maps the answer.
    private func attemptOnce(_ action: String, endpoint: ServiceEndpoint, body: [UInt8], credentials: Credentials,
                             timeout: Duration) async throws -> ResponseElement {
        let endpointName = endpoint.url.absoluteString
        guard timeout > .zero else {
            throw IAMTransportError(code: .timedOut, action: action, endpoint: endpointName, detail: "retry deadline reached")
        }
        var headers = [
            HTTPHeaderField(name: "Content-Type", value: Self.contentType),
            HTTPHeaderField(name: "Host", value: endpoint.hostHeader),
        ]
        let path = endpoint.url.path.isEmpty ? "/" : endpoint.url.path
        let signature = signer.sign(
            SigV4Request(method: "POST", path: path, headers: headers, payloadHash: SigV4Signer.payloadHash(body)),
            credentials: credentials, scope: SigningScope(region: endpoint.signingRegion, service: endpoint.signingService),
            date: environment.now())
        headers += SigV4Signer.headersToAdd(for: signature, credentials: credentials)
        let request = HTTPRequestData(url: endpoint.url, method: "POST", headers: headers, body: body)

        let response: HTTPResponseData
        do {
            response = try await transport.send(request, timeout: timeout)
        } catch let failure as TransportFailure {
            let code: IAMTransportError.Code = switch failure.kind {
            case .unreachable: .unreachable
            case .timedOut: .timedOut
            case .connectionLost: .connectionLost
            case .responseTooLarge: .responseTooLarge
            case .certificateRejected: .certificateRejected
            }
            throw IAMTransportError(code: code, action: action, endpoint: endpointName, detail: failure.detail)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw IAMTransportError(code: .connectionLost, action: action, endpoint: endpointName,
                                    detail: String(describing: type(of: error)))
        }
        logger.debug("IAM/STS answer", metadata: ["action": "\(action)", "status": "\(response.status)"])

        guard (200..<300).contains(response.status) else {
            throw awsError(from: response, action: action, service: endpoint.signingService)
        }
        guard let root = ResponseElement.parse(response.body) else {
            throw IAMTransportError(code: .invalidResponse, action: action, endpoint: endpointName,
                                    detail: "HTTP \(response.status) with a body that is not XML (\(response.body.count) bytes)")
        }
        return root
    }

    private func awsError(from response: HTTPResponseData, action: String, service: String) -> AWSError {
        let parsed = ErrorResponseParser.parse(response.body)
        let code = parsed?.code ?? "HTTP\(response.status)"
        let message = parsed?.message ?? "an error answer that is not AWS error XML (\(response.body.count) bytes)"
        let serverOffset = response.header("Date").flatMap(HTTPDate.parse).map { $0.timeIntervalSince(environment.now()) }
        var clockSkew: TimeInterval?
        switch code {
        case "RequestTimeTooSkewed", "RequestExpired":
            clockSkew = serverOffset ?? 0
        case "SignatureDoesNotMatch", "InvalidSignatureException":
            if let serverOffset, abs(serverOffset) > Self.clockSkewTolerance {
                clockSkew = serverOffset
            } else if message.contains("Signature expired") || message.contains("Signature not yet current") {
                clockSkew = serverOffset ?? 0
            }
        default:
            break
        }
        return AWSError(code: code, message: message, httpStatus: response.status, requestID: parsed?.requestID,
                        action: action, service: service, clockSkew: clockSkew)
    }

    private static func summary(of error: any Error) -> String {
        switch error {
        case let error as AWSError: "\(error.code) (HTTP \(error.httpStatus))"
        case let error as IAMTransportError: error.code.rawValue
        default: String(describing: type(of: error))
        }
    }
}
