import IAMClient

/// Reads an error answer of a JSON-protocol service: `{"__type": "...#Code", "message": ...}`, the
/// code possibly only in the `x-amzn-ErrorType` header, or (from moto's authentication layer) AWS
/// error XML. Every text taken from it is cleaned (`NetworkText`) before it can reach a message.
enum JSONErrorParser {
    static func error(_ response: HTTPResponseData) -> AWSServiceError {
        let status = response.status
        guard let document = JSONValue.parse(response.body), document.object != nil else {
            if response.body.first == UInt8(ascii: "<") {
                let answer = ErrorResponseParser.answer(response.body, httpStatus: status)
                return AWSServiceError(code: .init(awsCode: answer.code, httpStatus: status), answer: answer, itemAtFailure: nil)
            }
            let code = response.header("x-amzn-ErrorType").map(shortCode) ?? "HTTP\(status)"
            let answer = AWSServiceError.Answer(code: code, message: "an error answer that is not JSON (\(response.body.count) bytes)",
                                                httpStatus: status, requestID: requestID(response))
            return AWSServiceError(code: .init(awsCode: code, httpStatus: status), answer: answer, itemAtFailure: nil)
        }
        let wireType = document["__type"]?.string ?? response.header("x-amzn-ErrorType") ?? "HTTP\(status)"
        let code = shortCode(wireType)
        let message = NetworkText.sanitized(document["message"]?.string ?? document["Message"]?.string ?? "")
        let answer = AWSServiceError.Answer(code: code, message: message, httpStatus: status, requestID: requestID(response))
        let reasons = document["CancellationReasons"]?.array?.map { NetworkText.sanitized($0["Code"]?.string ?? "") } ?? []
        return AWSServiceError(code: .init(awsCode: code, httpStatus: status), answer: answer, itemAtFailure: document["Item"],
                               cancellationReasons: reasons)
    }

    /// `com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException` → `ConditionalCheckFailedException`;
    /// the header form `Code:http://internal.amazon.com/...` → `Code`.
    static func shortCode(_ wireType: String) -> String {
        var code = Substring(wireType)
        if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
        if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
        return NetworkText.sanitized(code)
    }

    private static func requestID(_ response: HTTPResponseData) -> String? {
        (response.header("x-amzn-RequestId") ?? response.header("x-amz-request-id")).map(NetworkText.sanitized)
    }
}
