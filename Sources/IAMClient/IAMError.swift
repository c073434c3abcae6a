import FoundationEssentials

/// Why an IAM or STS call failed: a typed ``Code`` to decide on, what AWS answered (when it did),
/// the underlying cause, and a description that says what to do.
///
/// One type from the transport up: a transport throws it with a code, a detail and the cause it
/// caught; the client adds the call, the endpoint and the number of attempts.
public struct IAMError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// No connection could be made (DNS, refused, connect timeout): the request was certainly not sent.
        case unreachable
        /// No complete response within the request's deadline: the request may have been applied.
        case timedOut
        /// The connection broke after the request may have been sent.
        case connectionLost
        /// `CreateAccessKey` was possibly applied: the caller must list keys to learn whether a key was created.
        case ambiguous
        /// The server's TLS certificate was not accepted (or TLS could not be negotiated); retrying meets the same.
        case certificateRejected
        /// The response body exceeded the size limit.
        case responseTooLarge
        /// The response was not the XML expected for the action.
        case invalidResponse
        /// AWS `AccessDenied`: the key may not make this call.
        case accessDenied
        /// AWS `NoSuchEntity`: the user or key does not exist.
        case noSuchEntity
        /// AWS `LimitExceeded`: the user already has two keys.
        case limitExceeded
        /// AWS `InvalidClientTokenId`: the access key id is unknown, deleted or inactive.
        case unknownAccessKey
        /// AWS `SignatureDoesNotMatch` (and our clock is right): the secret is not this key's.
        case wrongSecret
        /// AWS `ExpiredToken`: the session token has expired.
        case expiredToken
        /// The request was refused because this machine's clock is off.
        case clockSkew
        /// AWS throttled the call.
        case throttled
        /// AWS failed on its side (HTTP 5xx, `ServiceUnavailable`, `InternalFailure` …).
        case serviceFailure
        /// Any other AWS error answer.
        case rejected
    }

    public typealias Answer = AWSErrorAnswer

    public let code: Code
    /// The Query action that failed, e.g. `CreateAccessKey` (empty while inside the transport).
    public internal(set) var action = ""
    /// `iam` or `sts`.
    public internal(set) var service = ""
    public internal(set) var endpoint = ""
    /// What AWS answered, for an error answer.
    public let answer: Answer?
    /// What happened below the call, in words (`connect timed out`, `HTTP 200 with a body that is not XML`).
    public let detail: String
    /// Attempts made before giving up.
    public internal(set) var attempts = 1
    /// For ``Code/clockSkew``: how far the server's `Date` was from our clock (seconds, positive when
    /// the server is ahead), or 0 when AWS said the time was wrong without a usable `Date`.
    public let clockSkew: TimeInterval?
    /// The error this one was made from (AsyncHTTPClient's, NIO's, TLS's), if any.
    public let cause: (any Error)?

    /// A failure without an AWS answer, as a transport throws it.
    public init(_ code: Code, detail: String, cause: (any Error)? = nil) {
        self.code = code
        self.detail = detail
        self.cause = cause
        answer = nil
        clockSkew = nil
    }

    init(code: Code, answer: Answer, clockSkew: TimeInterval?) {
        self.code = code
        self.answer = answer
        self.clockSkew = clockSkew
        detail = ""
        cause = nil
    }

    /// A temporary condition of the network (the CLI maps it to exit status 75, EX_TEMPFAIL).
    public var isTemporary: Bool { [.unreachable, .timedOut, .connectionLost].contains(code) }

    /// Whether another attempt may succeed once AWS has recovered (throttling, server-side failures).
    var isRetryableAnswer: Bool { [.throttled, .serviceFailure].contains(code) }

    /// This error as met by `action` of `service` at `endpoint`.
    func during(_ action: String, service: String, endpoint: String, attempts: Int = 1) -> IAMError {
        var error = self
        error.action = action
        error.service = service
        error.endpoint = endpoint
        error.attempts = attempts
        return error
    }

    /// The same failure under another code (a lost connection of a `CreateAccessKey` becomes ambiguous).
    func recoded(_ code: Code) -> IAMError {
        var error = answer.map { IAMError(code: code, answer: $0, clockSkew: clockSkew) } ?? IAMError(code, detail: detail, cause: cause)
        error.action = action
        error.service = service
        error.endpoint = endpoint
        error.attempts = attempts
        return error
    }

    public var description: String {
        if let answer { return describe(answer) }
        let tries = attempts > 1 ? " after \(attempts) attempts" : ""
        switch code {
        case .unreachable:
            return "\(action) to \(endpoint) failed\(tries): could not connect (\(detail)); check the network, DNS and HTTPS_PROXY/NO_PROXY, then try again"
        case .timedOut:
            return "\(action) to \(endpoint) timed out\(tries) (\(detail)); check the network or proxy, then try again"
        case .connectionLost:
            return "\(action) to \(endpoint) failed\(tries): the connection was lost (\(detail)); try again"
        case .ambiguous:
            return "\(action) to \(endpoint) may or may not have been applied: the connection failed after the request was sent (\(detail)); list the user's access keys to learn whether a key was created"
        case .certificateRejected:
            return "\(action) to \(endpoint) failed: the server's TLS certificate was not accepted (\(detail)); check that the endpoint is the real IAM/STS one, "
                + "that the CA of any TLS-inspecting proxy is in the system trust store (update-ca-certificates) and that the system clock is right"
        case .responseTooLarge:
            return "\(action) to \(endpoint) returned a response larger than the limit (\(detail)); check that the endpoint really is IAM/STS"
        default:
            return "\(action) to \(endpoint) returned an unexpected response (\(detail)); check that the endpoint really is IAM/STS"
        }
    }

    private func describe(_ answer: Answer) -> String {
        let call = "\(service.uppercased()) \(action)"
        let reference = answer.requestID.map { " (request id \($0))" } ?? ""
        let advice: String
        switch code {
        case .clockSkew:
            let seconds = Int((clockSkew ?? 0).magnitude.rounded())
            advice = "this machine's clock is \(seconds == 0 ? "too far" : "\(seconds) s") off from AWS's; "
                + "fix the system clock (e.g. enable NTP with `timedatectl set-ntp true`) and try again"
        case .accessDenied:
            advice = "the key may not call \(service):\(action); run `keyrotd policy` to print the IAM policy the user needs and attach it"
        case .unknownAccessKey:
            advice = "the access key id is unknown, deleted or inactive (a key created seconds ago may not have propagated yet); check the configured key"
        case .wrongSecret:
            advice = "the secret access key does not belong to this access key id; check the configured secret"
        case .limitExceeded:
            advice = "the user already has the maximum of 2 access keys (inactive ones count); delete the one not in use, then try again"
        case .noSuchEntity:
            advice = "the user or access key does not exist; check the user name in the configuration"
        case .expiredToken:
            advice = "the session token has expired; obtain fresh temporary credentials"
        case .throttled, .serviceFailure:
            advice = "AWS is throttling or failing; try again later"
        default:
            advice = "see the message above"
        }
        return "\(call) failed with \(answer.code) (HTTP \(answer.httpStatus)): \(answer.message)\(reference); \(advice)"
    }
}
