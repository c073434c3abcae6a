import Foundation

/// Reads an error answer: AWS's `<ErrorResponse><Error>…</Error><RequestId>` and moto's auth errors
/// `<ErrorResponse><Errors><Error>…` alike, by taking the first `Error` element at any depth. Every
/// text taken from it is cleaned (``NetworkText``) before it can reach a message or a log line.
package enum ErrorResponseParser {
    package static func answer(_ body: [UInt8], httpStatus: Int) -> IAMError.Answer {
        guard let root = ResponseElement.parse(body), let error = root.first("Error"),
              let code = error.text(of: "Code").map(NetworkText.sanitized), !code.isEmpty
        else {
            return IAMError.Answer(code: "HTTP\(httpStatus)", message: "an error answer that is not AWS error XML (\(body.count) bytes)",
                                   httpStatus: httpStatus, requestID: nil)
        }
        let requestID = (root.first("RequestId") ?? root.first("RequestID")).map { NetworkText.sanitized($0.text) }
        return IAMError.Answer(code: code, message: NetworkText.sanitized(error.text(of: "Message") ?? ""),
                               httpStatus: httpStatus, requestID: requestID)
    }
}

extension IAMError.Code {
    /// AWS error codes meaning "slow down"; the call is retried, even a `CreateAccessKey` (it had no effect).
    package static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "RequestLimitExceeded", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    ]
    /// AWS error codes of a failure on AWS's side.
    package static let serviceFailureCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "ServiceUnavailable", "ServiceFailure", "InternalFailure",
    ]

    /// The code of an AWS error answer, from its wire code and HTTP status.
    init(awsCode: String, httpStatus: Int) {
        switch awsCode {
        case "AccessDenied": self = .accessDenied
        case "NoSuchEntity": self = .noSuchEntity
        case "LimitExceeded": self = .limitExceeded
        case "InvalidClientTokenId": self = .unknownAccessKey
        case "SignatureDoesNotMatch", "InvalidSignatureException": self = .wrongSecret
        case "ExpiredToken": self = .expiredToken
        case "RequestTimeTooSkewed", "RequestExpired": self = .clockSkew
        case _ where Self.throttlingCodes.contains(awsCode): self = .throttled
        case _ where Self.serviceFailureCodes.contains(awsCode) || [500, 502, 503, 504].contains(httpStatus): self = .serviceFailure
        default: self = .rejected
        }
    }
}
