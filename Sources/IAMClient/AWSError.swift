import Foundation

/// An error answer from IAM or STS (or moto), with what the operator should do about it.
public struct AWSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The AWS error code, e.g. `AccessDenied`, `LimitExceeded`, `Throttling`.
    public let code: String
    public let message: String
    public let httpStatus: Int
    public let requestID: String?
    /// The Query action that failed, e.g. `CreateAccessKey`.
    public let action: String
    /// `iam` or `sts`.
    public let service: String
    /// Set when the failure is caused by our clock: how far the server's `Date` was from ours (seconds,
    /// positive when the server is ahead), or 0 when AWS said `RequestTimeTooSkewed` without a usable `Date`.
    public let clockSkew: TimeInterval?

    public init(code: String, message: String, httpStatus: Int, requestID: String?, action: String,
                service: String = "iam", clockSkew: TimeInterval? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.requestID = requestID
        self.action = action
        self.service = service
        self.clockSkew = clockSkew
    }

    public var isClockSkew: Bool { clockSkew != nil }

    /// Whether a retry may succeed (throttling and server-side failures).
    public var isRetryable: Bool {
        Self.throttlingCodes.contains(code) || Self.transientCodes.contains(code) || [500, 502, 503, 504].contains(httpStatus)
    }

    /// For `CreateAccessKey`: a server-side failure leaves it unknown whether the key was created.
    public var outcomeUnknown: Bool { action == "CreateAccessKey" && httpStatus >= 500 }

    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "RequestLimitExceeded", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    ]
    static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "ServiceUnavailable", "ServiceFailure", "InternalFailure",
    ]

    public var description: String {
        let call = "\(service.uppercased()) \(action)"
        let reference = requestID.map { " (request id \($0))" } ?? ""
        let advice: String
        if let clockSkew {
            let seconds = Int(clockSkew.magnitude.rounded())
            advice = "this machine's clock is \(seconds == 0 ? "too far" : "\(seconds) s") off from AWS's; "
                + "fix the system clock (e.g. enable NTP with `timedatectl set-ntp true`) and try again"
        } else {
            switch code {
            case "AccessDenied":
                advice = "the key may not call \(service):\(action); run `keyrotd policy` to print the IAM policy the user needs and attach it"
            case "InvalidClientTokenId":
                advice = "the access key id is unknown, deleted or inactive (a key created seconds ago may not have propagated yet); check the configured key"
            case "SignatureDoesNotMatch":
                advice = "the secret access key does not belong to this access key id; check the configured secret"
            case "LimitExceeded":
                advice = "the user already has the maximum of 2 access keys (inactive ones count); delete the one not in use, then try again"
            case "NoSuchEntity":
                advice = "the user or access key does not exist; check the user name in the configuration"
            case "ExpiredToken":
                advice = "the session token has expired; obtain fresh temporary credentials"
            default:
                advice = isRetryable ? "AWS is throttling or failing; try again later" : "see the message above"
            }
        }
        return "\(call) failed with \(code) (HTTP \(httpStatus)): \(message)\(reference); \(advice)"
    }
}

/// A failure without an AWS answer: network, timeout, oversized or unreadable response.
public struct IAMTransportError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// No connection could be made (DNS, refused, connect timeout).
        case unreachable
        /// No complete response within the request timeout or the retry deadline.
        case timedOut
        /// The connection broke mid-request.
        case connectionLost
        /// `CreateAccessKey` was possibly applied: the caller must list keys to learn whether a key was created.
        case ambiguous
        /// The response body exceeded the size limit.
        case responseTooLarge
        /// The response was not the XML expected for the action.
        case invalidResponse
        /// The server's TLS certificate was not accepted (or TLS could not be negotiated); retrying meets the same.
        case certificateRejected
    }

    public let code: Code
    public let action: String
    public let endpoint: String
    public let detail: String
    /// Attempts made before giving up.
    public let attempts: Int

    public init(code: Code, action: String, endpoint: String, detail: String, attempts: Int = 1) {
        self.code = code
        self.action = action
        self.endpoint = endpoint
        self.detail = detail
        self.attempts = attempts
    }

    /// Temporary conditions (the CLI maps them to exit status 75, EX_TEMPFAIL).
    public var isTemporary: Bool { [.unreachable, .timedOut, .connectionLost].contains(code) }

    public var description: String {
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
        case .invalidResponse:
            return "\(action) to \(endpoint) returned an unexpected response (\(detail)); check that the endpoint really is IAM/STS"
        }
    }
}
