@testable import IAMClient
import Foundation
import KeyrotCore
import KeyrotTestSupport
import Testing

/// Text from the network loses every control and format character before it can be shown.
@Suite struct NetworkTextTests {
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        [.control, .format, .lineSeparator, .paragraphSeparator].contains(scalar.properties.generalCategory)
    }

    /// Every C0 and C1 control, DEL, and the bidi and zero-width format characters, between words.
    @Test func everyControlAndFormatCharacterIsRemoved() {
        let hostile = (Array(0x00...0x1F) + [0x7F] + Array(0x80...0x9F) + Array(0x202A...0x202E) + Array(0x2066...0x2069)
            + [0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x061C, 0xFEFF, 0x2028, 0x2029, 0xE000])
            .compactMap(Unicode.Scalar.init).map { "a\(Character($0))b" }.joined(separator: " ")
        let clean = NetworkText.sanitized(hostile)
        #expect(!clean.unicodeScalars.contains(where: Self.isUnsafe))
        #expect(clean.hasPrefix("a b a b"), "controls become one space: \(clean.prefix(20))")
        #expect(clean.contains("ab ab"), "format characters are dropped")
        #expect(NetworkText.sanitized("Rate exceeded, é ሴ 😀") == "Rate exceeded, é ሴ 😀")
    }

    @Test func lengthIsBounded() {
        let clean = NetworkText.sanitized(String(repeating: "x", count: 100_000))
        #expect(clean.count == NetworkText.maximumLength + 1)
        #expect(clean.hasSuffix("…"))
    }

    /// Names in a success answer that `keyrotd check` prints are cleaned too.
    @Test func callerIdentityIsCleaned() async throws {
        let body = Array("<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/\u{202E}u\n\u{85}x</Arn><UserId>AIDA\u{2066}</UserId><Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>".utf8)
        let client = Fixtures.client(transport: ClosureTransport { _, _ in HTTPResponseData(status: 200, body: body) })
        let identity = try await client.getCallerIdentity(credentials: Fixtures.credentials)
        #expect(identity.arn == "arn:aws:iam::1:user/u x")
        #expect(identity.userID == "AIDA")
    }
}
