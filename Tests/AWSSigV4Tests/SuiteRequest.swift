import Foundation
import AWSSigV4

/// A raw HTTP request from the test suite's `request.txt` / `.req` files.
///
/// Parsed leniently on purpose: the request line may contain raw spaces and UTF-8 (so it is split
/// on the last ` HTTP/`), and header continuation lines are folded into the previous value.
struct SuiteRequest {
    var method: String
    var path: String
    var query: String
    var headers: [HTTPHeaderField]
    var body: String

    init(parsing text: String) throws {
        let (head, body) = Self.splitHeadAndBody(text)
        self.body = body
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst()
        guard let space = requestLine.firstIndex(of: " "),
              let versionStart = requestLine.range(of: " HTTP/", options: .backwards)?.lowerBound
        else { throw SuiteError(message: "bad request line: \(requestLine)") }
        method = String(requestLine[..<space])
        let target = requestLine[requestLine.index(after: space)..<versionStart]
        if let question = target.firstIndex(of: "?") {
            path = String(target[..<question])
            query = String(target[target.index(after: question)...])
        } else {
            path = String(target)
            query = ""
        }
        headers = []
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                headers.append(HTTPHeaderField(name: String(line[..<colon]), value: String(line[line.index(after: colon)...])))
            } else {
                throw SuiteError(message: "bad header line: \(line)")
            }
        }
    }

    private static func splitHeadAndBody(_ text: String) -> (String, String) {
        guard let blank = text.range(of: "\n\n") else { return (text, "") }
        return (String(text[..<blank.lowerBound]), String(text[blank.upperBound...]))
    }
}

struct SuiteError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
