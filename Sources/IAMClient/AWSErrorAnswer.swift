/// An AWS error answer as received, from any protocol (Query XML, JSON), its text already cleaned
/// by ``NetworkText``: what ``IAMError`` and the fleet clients' errors carry alike.
public struct AWSErrorAnswer: Sendable, Hashable {
    /// The short AWS error code, e.g. `AccessDenied`, `Throttling`, `ConditionalCheckFailedException`.
    public let code: String
    public let message: String
    public let httpStatus: Int
    public let requestID: String?

    package init(code: String, message: String, httpStatus: Int, requestID: String?) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.requestID = requestID
    }
}
