import Foundation
import KeyrotTestSupport
import Testing

/// keyrotd never prints a secret access key: checks a run's stdout and stderr.
enum SecretLeaks {
    /// Expects none of `secrets` in the output, nor anything shaped like a secret access key
    /// (a run of exactly 40 characters of the base64 alphabet), which catches a secret the test
    /// never saw, such as the one of a key that was rolled back.
    static func expectNone(in result: ChildResult, secrets: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for secret in secrets {
            #expect(!result.output.contains(secret), "\(result.command) printed a secret access key", sourceLocation: sourceLocation)
        }
        let shaped = secretShapedRuns(in: result.output)
        #expect(shaped.isEmpty, "\(result.command) printed \(shaped.count) secret-shaped string(s)", sourceLocation: sourceLocation)
    }

    private static func secretShapedRuns(in text: String) -> [Substring] {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+")
        return text.split(whereSeparator: { !alphabet.contains($0) }).filter { $0.count == 40 }
    }
}
