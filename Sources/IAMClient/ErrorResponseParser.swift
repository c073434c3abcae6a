import Foundation

/// Reads an error answer: AWS's `<ErrorResponse><Error>…</Error><RequestId>` and moto's auth errors
/// `<ErrorResponse><Errors><Error>…` alike, by taking the first `Error` element at any depth.
enum ErrorResponseParser {
    struct Parsed: Equatable {
        let code: String
        let message: String
        let requestID: String?
    }

    static func parse(_ body: [UInt8]) -> Parsed? {
        guard let root = ResponseElement.parse(body), let error = root.first("Error"),
              let code = error.text(of: "Code"), !code.isEmpty
        else { return nil }
        let requestID = root.first("RequestId").map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
            ?? root.first("RequestID").map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
        return Parsed(code: code, message: error.text(of: "Message") ?? "", requestID: requestID)
    }
}
