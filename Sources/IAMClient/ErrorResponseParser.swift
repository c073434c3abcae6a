import Foundation

/// Reads an error answer: AWS's `<ErrorResponse><Error>…</Error><RequestId>` and moto's auth errors
/// `<ErrorResponse><Errors><Error>…` alike, by taking the first `Error` element at any depth. Every
/// text taken from it is cleaned (``NetworkText``) before it can reach a message or a log line.
enum ErrorResponseParser {
    struct Parsed: Equatable {
        let code: String
        let message: String
        let requestID: String?
    }

    static func parse(_ body: [UInt8]) -> Parsed? {
        guard let root = ResponseElement.parse(body), let error = root.first("Error"),
              let code = error.text(of: "Code").map(NetworkText.sanitized), !code.isEmpty
        else { return nil }
        let requestID = (root.first("RequestId") ?? root.first("RequestID")).map { NetworkText.sanitized($0.text) }
        return Parsed(code: code, message: NetworkText.sanitized(error.text(of: "Message") ?? ""), requestID: requestID)
    }
}
