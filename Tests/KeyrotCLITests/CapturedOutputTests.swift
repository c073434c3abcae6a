@testable import KeyrotCLI
import KeyrotCore
import Testing

/// The bounded capture of a child's output: what is kept, and no piece of a secret at the cut.
@Suite("Captured output")
struct CapturedOutputTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKE"

    @Test func outputPastTheLimitIsCountedNotKept() {
        var output = CapturedOutput(limit: 10)
        output.append(Array("0123456".utf8))
        output.append(Array("789abcdef".utf8))
        #expect(output.maskedText(secrets: []) == "0123456789")
        #expect(output.dropped == 6)
    }

    /// The cut falls inside the secret: its head, which no exact match can catch, is dropped.
    @Test(arguments: [1, 12, 39])
    func aSecretSplitByTheCutLeavesNoHead(headLength: Int) {
        var output = CapturedOutput(limit: 6 + headLength)
        output.append(Array("key = \(Self.secret) and more".utf8))
        #expect(output.maskedText(secrets: [Secret(Self.secret)]) == "key = ")
    }

    @Test func aWholeSecretBeforeTheCutIsMasked() {
        var output = CapturedOutput(limit: 60)
        output.append(Array("key = \(Self.secret)\nrest of a long line".utf8))
        #expect(output.maskedText(secrets: [Secret(Self.secret)]) == "key = <redacted>\nrest of a lon")
    }
}
