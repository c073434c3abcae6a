import Foundation
import IAMClient

/// Why a Secrets Manager or DynamoDB call failed: a typed ``Code`` to decide on (taken from the
/// answer's `__type`, never from its message), what AWS answered, the underlying cause, and a
/// description that says what to do. Never holds a secret: request bodies are not kept, and the
/// item returned with a failed condition is held apart from the description.
public struct AWSServiceError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// No connection could be made: the request was certainly not sent.
        case unreachable
        /// No complete response within the request's deadline: the request may have been applied.
        case timedOut
        /// The connection broke after the request may have been sent.
        case connectionLost
        /// A call that is not repeated blindly (a conditional write) may or may not have been applied:
        /// the caller reads to learn which.
        case ambiguous
        /// The server's TLS certificate was not accepted.
        case certificateRejected
        /// The response body exceeded the size limit.
        case responseTooLarge
        /// The answer was not the JSON expected for the operation.
        case invalidResponse
        /// `AccessDeniedException`: the key may not make this call.
        case accessDenied
        /// `UnrecognizedClientException` / `InvalidClientTokenId`: the access key id is unknown, deleted or inactive.
        case unknownAccessKey
        /// `InvalidSignatureException` / `SignatureDoesNotMatch`: the secret is not this key's (or the clock is off).
        case wrongSecret
        /// `ExpiredTokenException`.
        case expiredToken
        /// The request's time was refused (`RequestTimeTooSkewed`, `RequestExpired`).
        case clockSkew
        /// AWS throttled the call (retried).
        case throttled
        /// AWS failed on its side (HTTP 5xx, `InternalServiceError`, `InternalServerError`) (retried when idempotent).
        case serviceFailure
        /// DynamoDB `ConditionalCheckFailedException`: the condition did not hold; nothing was written.
        case conditionalCheckFailed
        /// DynamoDB `TransactionCanceledException`.
        case transactionCanceled
        /// `ResourceNotFoundException`: no such secret, version, stage or table.
        case resourceNotFound
        /// Secrets Manager `ResourceExistsException`: a secret of that name, or that version with another value, exists.
        case resourceExists
        /// DynamoDB `ResourceInUseException`: the table exists or is being created or deleted.
        case resourceInUse
        /// `InvalidRequestException`, `InvalidParameterException`, `ValidationException`: the request was refused as malformed or not allowed now.
        case invalidRequest
        /// Any other AWS error answer.
        case rejected
    }

    /// The short AWS code is the part after `#` of `__type`, e.g. `ConditionalCheckFailedException`.
    public typealias Answer = AWSErrorAnswer

    public let code: Code
    /// The operation that failed, e.g. `PutSecretValue`.
    public internal(set) var operation = ""
    /// `secretsmanager` or `dynamodb`.
    public internal(set) var service = ""
    public internal(set) var endpoint = ""
    public let answer: Answer?
    /// What happened below the call, in words.
    public let detail: String
    public internal(set) var attempts = 1
    /// The error this one was made from (the transport's ``IAMError``, a decoding error), if any.
    public let cause: (any Error)?
    /// For ``Code/conditionalCheckFailed``: the item as it was when the condition failed
    /// (`ReturnValuesOnConditionCheckFailure = ALL_OLD`), nil when there was none. Not in the description.
    public let itemAtFailure: JSONValue?
    /// For ``Code/transactionCanceled``: each item's reason in order (`ConditionalCheckFailed`,
    /// `None` for an item that was fine, ...), cleaned like every peer text.
    public let cancellationReasons: [String]

    public init(_ code: Code, detail: String, cause: (any Error)? = nil) {
        self.code = code
        self.detail = detail
        self.cause = cause
        answer = nil
        itemAtFailure = nil
        cancellationReasons = []
    }

    init(code: Code, answer: Answer, itemAtFailure: JSONValue?, cancellationReasons: [String] = []) {
        self.code = code
        self.answer = answer
        self.itemAtFailure = itemAtFailure
        self.cancellationReasons = cancellationReasons
        detail = ""
        cause = nil
    }

    /// A temporary condition of the network.
    public var isTemporary: Bool { [.unreachable, .timedOut, .connectionLost].contains(code) }

    func during(_ operation: String, service: String, endpoint: String, attempts: Int = 1) -> AWSServiceError {
        var error = self
        error.operation = operation
        error.service = service
        error.endpoint = endpoint
        error.attempts = attempts
        return error
    }

    /// The same failure under another code (a lost connection of a conditional write becomes ambiguous).
    func recoded(_ code: Code) -> AWSServiceError {
        var error = answer.map { AWSServiceError(code: code, answer: $0, itemAtFailure: itemAtFailure, cancellationReasons: cancellationReasons) }
            ?? AWSServiceError(code, detail: detail, cause: cause)
        error.operation = operation
        error.service = service
        error.endpoint = endpoint
        error.attempts = attempts
        return error
    }

    public var description: String {
        let call = "\(service) \(operation)"
        let tries = attempts > 1 ? " after \(attempts) attempts" : ""
        guard let answer else {
            switch code {
            case .unreachable:
                return "\(call) to \(endpoint) failed\(tries): could not connect (\(detail)); check the network, DNS and HTTPS_PROXY/NO_PROXY, then try again"
            case .timedOut:
                return "\(call) to \(endpoint) timed out\(tries) (\(detail)); try again"
            case .connectionLost:
                return "\(call) to \(endpoint) failed\(tries): the connection was lost (\(detail)); try again"
            case .ambiguous:
                return "\(call) to \(endpoint) may or may not have been applied: the connection failed after the request was sent (\(detail)); read the item or secret to learn which"
            case .certificateRejected:
                return "\(call) to \(endpoint) failed: the server's TLS certificate was not accepted (\(detail)); check the endpoint, the trust store and the clock"
            default:
                return "\(call) to \(endpoint) returned an unexpected response (\(detail)); check that the endpoint really is \(service)"
            }
        }
        let reference = answer.requestID.map { " (request id \($0))" } ?? ""
        let advice: String
        switch code {
        case .accessDenied: advice = "the key may not call \(service):\(operation); run `keyrotd policy` to print the IAM policy the user needs and attach it"
        case .unknownAccessKey: advice = "the access key id is unknown, deleted or inactive; check the configured key"
        case .wrongSecret: advice = "the secret access key does not belong to this access key id, or this machine's clock is off; check both"
        case .clockSkew: advice = "this machine's clock is off from AWS's; fix the system clock (e.g. `timedatectl set-ntp true`)"
        case .throttled, .serviceFailure: advice = "AWS is throttling or failing; try again later"
        case .conditionalCheckFailed: advice = "another writer changed the item first; nothing was written"
        case .resourceNotFound: advice = "check the configured secret id or table name and region (`keyrotd fleet init` creates them)"
        default: advice = "see the message above"
        }
        return "\(call) failed with \(answer.code) (HTTP \(answer.httpStatus)): \(answer.message)\(reference); \(advice)"
    }
}

extension AWSServiceError.Code {
    /// The code of an AWS error answer, from its short wire code and HTTP status.
    init(awsCode: String, httpStatus: Int) {
        switch awsCode {
        case "AccessDeniedException", "AccessDenied": self = .accessDenied
        case "UnrecognizedClientException", "InvalidClientTokenId": self = .unknownAccessKey
        case "InvalidSignatureException", "SignatureDoesNotMatch": self = .wrongSecret
        case "ExpiredTokenException", "ExpiredToken": self = .expiredToken
        case "RequestTimeTooSkewed", "RequestExpired": self = .clockSkew
        case "ConditionalCheckFailedException": self = .conditionalCheckFailed
        case "TransactionCanceledException": self = .transactionCanceled
        case "ResourceNotFoundException": self = .resourceNotFound
        case "ResourceExistsException": self = .resourceExists
        case "ResourceInUseException": self = .resourceInUse
        case "InvalidRequestException", "InvalidParameterException", "ValidationException": self = .invalidRequest
        case "ProvisionedThroughputExceededException", "RequestLimitExceeded":
            self = .throttled
        case _ where IAMError.Code.throttlingCodes.contains(awsCode): self = .throttled
        case "InternalServiceError", "InternalServerError", "InternalFailure", "ServiceUnavailableException":
            self = .serviceFailure
        case _ where IAMError.Code.serviceFailureCodes.contains(awsCode) || (500...599).contains(httpStatus):
            self = .serviceFailure
        default: self = .rejected
        }
    }

    /// A transport failure (which the shared transport reports as ``IAMError``) under this type's code.
    init(transport code: IAMError.Code) {
        switch code {
        case .unreachable: self = .unreachable
        case .timedOut: self = .timedOut
        case .ambiguous: self = .ambiguous
        case .certificateRejected: self = .certificateRejected
        case .responseTooLarge: self = .responseTooLarge
        case .invalidResponse: self = .invalidResponse
        default: self = .connectionLost
        }
    }
}
