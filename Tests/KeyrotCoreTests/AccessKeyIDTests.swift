import Foundation
import KeyrotCore
import Testing

@Suite("Access key ids")
struct AccessKeyIDTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

    @Test("long-term and temporary ids are accepted", arguments: ["AKIAIOSFODNN7EXAMPLE", "ASIAQ3EGUQ7NXZ2ABC45", "AKIA0000000000000000"])
    func accepted(text: String) throws {
        #expect(try AccessKeyID(text).rawValue == text)
    }

    @Test("anything else is refused, described by its length and never echoed", arguments: [
        secret, "AKIAIOSFODNN7EXAMPL", "AKIAIOSFODNN7EXAMPLEX", "akiaiosfodnn7example", "AIDAIOSFODNN7EXAMPLE",
        "AKIAIOSFODNN7EXAMPL+", "AKIAIOSFODNN7EXAMPL\n", " AKIAIOSFODNN7EXAMPLE", "AKIAİOSFODNN7EXAMPL", "", "ADD HERE",
    ])
    func refused(text: String) {
        #expect(throws: InvalidAccessKeyID.self) { try AccessKeyID(text) }
        do {
            _ = try AccessKeyID(text)
        } catch {
            #expect(error.length == text.count)
            #expect(error.description.contains("\(text.count) character"))
            if !text.isEmpty { #expect(!error.description.contains(text)) }
        }
    }

    @Test("a secret in the id's place is called out as probably swapped")
    func swappedHint() {
        #expect(InvalidAccessKeyID(Self.secret).description
            == "a value that is not an access key id (40 characters, shaped like a secret access key: are the id and the secret swapped?)")
        #expect(!InvalidAccessKeyID("ADD HERE").looksLikeSecret)
    }

    @Test("decoding a record validates too, and the error does not hold the value")
    func decoding() throws {
        let decoder = JSONDecoder()
        #expect(try decoder.decode([AccessKeyID].self, from: Data(#"["AKIAIOSFODNN7EXAMPLE"]"#.utf8)) == ["AKIAIOSFODNN7EXAMPLE"])
        do {
            _ = try decoder.decode([AccessKeyID].self, from: Data("[\"\(Self.secret)\"]".utf8))
            Issue.record("a secret decoded as an access key id")
        } catch {
            #expect(!String(describing: error).contains(Self.secret))
            #expect(String(describing: error).contains("not an access key id"))
        }
    }
}
