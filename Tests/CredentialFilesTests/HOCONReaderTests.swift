import CredentialFiles
import KeyrotCore
import Testing

@Suite("HOCON reader and rewriter")
struct HOCONReaderTests {
    static let id = "AKIAIOSFODNN7EXAMPLE"
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    static let old = credentials(id, secret)
    static let new = credentials("AKIAI44QH8DHBEXAMPLE", "je7MtGbClwBF/2Zp9Utk+h3yCo8nvbEXAMPLEKEY")

    static func rotate(_ text: String, spec: CredentialFileSpec? = nil) throws -> String {
        let original = try spec.map { try CredentialFiles.parse(text.bytes, spec: $0) } ?? snapshot(text, .hocon)
        let rotated = try CredentialFiles.rewrite(original, replacing: old.accessKeyID, with: new)
        return String(decoding: rotated.bytes, as: UTF8.self)
    }

    @Test("the pair is found in every syntax HOCON writes a setting in", arguments: [
        "aws {\n  accessKey = \"\(id)\"\n  secretKey = \"\(secret)\"\n}\n",
        "aws.accessKey = \(id)\naws { secretKey: \"\(secret)\" }\n",
        "{ \"aws\" : { \"accessKey\" : \"\(id)\", \"secretKey\" : \"\(secret)\", } }",
        "\u{FEFF}// comment\r\naws = {\r\n  accessKey: \(id) # note\r\n  secretKey: \"\"\"\(secret)\"\"\"\r\n}\r\n",
        "a.b.c { aws { access-key: \"\(id)\"\n secret-key: \"\(secret)\" } }\nlist += [1, {x = 2}]\n",
        "x = [\n  1,\n  2,\n]\n\"enrich\".aws.accessKey = \(id)\nenrich.\"aws\".secretKey = \(secret)\nexpiration = 365 days\n",
        "aws {\n  accessKey = \"\(id)\"\n  secretKey = ${?S}\n  secretKey = \"\(secret)\"\n}\n",
    ])
    func findsPair(text: String) throws {
        let found = try snapshot(text, .hocon)
        #expect(found.pairs.map(\.accessKeyID) == [Self.old.accessKeyID])
        #expect(found.pairs.map(\.secretAccessKey) == [Self.old.secretAccessKey])
    }

    @Test("only the two values change, in the value's own quoting") func quotingStyles() throws {
        #expect(try Self.rotate("aws {\n  accessKey = \"\(Self.id)\"\n  secretKey = \"\(Self.secret)\"\n}\n")
            == "aws {\n  accessKey = \"AKIAI44QH8DHBEXAMPLE\"\n  secretKey = \"je7MtGbClwBF/2Zp9Utk+h3yCo8nvbEXAMPLEKEY\"\n}\n")
        #expect(try Self.rotate("aws.accessKey = \"\"\"\(Self.id)\"\"\"\r\naws.secretKey = \"\"\"\(Self.secret)\"\"\"\r\n")
            == "aws.accessKey = \"\"\"AKIAI44QH8DHBEXAMPLE\"\"\"\r\naws.secretKey = \"\"\"je7MtGbClwBF/2Zp9Utk+h3yCo8nvbEXAMPLEKEY\"\"\"\r\n")
    }

    @Test("an unquoted secret that unquoted HOCON cannot hold is written double-quoted, with a notice") func unquotedBecomesQuoted() throws {
        let text = "aws {\n  accessKey = \(Self.id)  // the key\n  secretKey = \(Self.secret)\n}\n"
        let original = try snapshot(text, .hocon)
        #expect(original.notices.count == 1)
        #expect(original.notices.first?.text.contains("written double-quoted") == true)
        #expect(original.notices.allSatisfy { !$0.text.contains(Self.secret) })
        #expect(try Self.rotate(text) == "aws {\n  accessKey = AKIAI44QH8DHBEXAMPLE  // the key\n  secretKey = \"je7MtGbClwBF/2Zp9Utk+h3yCo8nvbEXAMPLEKEY\"\n}\n")
    }

    @Test("every pair holding the current key is rotated; others stay") func severalPairs() throws {
        let text = """
            good { aws { accessKey = \(Self.id), secretKey = "\(Self.secret)" } }
            bad.aws.accessKey = "\(Self.id)"
            bad.aws.secretKey = "\(Self.secret)"
            pii { aws { accessKey = AKIAOTHER00000000000, secretKey = other } }

            """
        let rotated = try Self.rotate(text)
        #expect(rotated == text.replacing(Self.id, with: "AKIAI44QH8DHBEXAMPLE").replacing(Self.secret, with: Self.new.secretAccessKey.revealed()))
        #expect(try snapshot(rotated, .hocon).pairs.map(\.accessKeyID.rawValue) == ["AKIAI44QH8DHBEXAMPLE", "AKIAI44QH8DHBEXAMPLE", "AKIAOTHER00000000000"])
    }

    @Test("the same static value set twice is rewritten in both places") func sameValueTwice() throws {
        let text = "aws.accessKey = \"\(Self.id)\"\naws.secretKey = \"\(Self.secret)\"\naws { accessKey = \"\(Self.id)\", secretKey = \"\(Self.secret)\" }\n"
        let rotated = try Self.rotate(text)
        #expect(!rotated.contains(Self.id) && !rotated.contains(Self.secret))
        #expect(rotated.ranges(of: "AKIAI44QH8DHBEXAMPLE").count == 2)
    }

    @Test("an optional environment override after a static key: rotated, with a notice naming the variable") func environmentOverride() throws {
        let text = "aws {\n  accessKey = \"\(Self.id)\"\n  accessKey = ${?COLLECTOR_STREAMS_SINK_AWS_ACCESS_KEY}\n  secretKey = \"\(Self.secret)\"\n}\n"
        let original = try snapshot(text, .hocon)
        #expect(original.notices.count == 1)
        #expect(original.notices.first?.text.contains("COLLECTOR_STREAMS_SINK_AWS_ACCESS_KEY") == true)
        #expect(original.notices.first?.text.contains("/etc/test/file:3") == true)
        #expect(try Self.rotate(text).contains("accessKey = \"AKIAI44QH8DHBEXAMPLE\"\n  accessKey = ${?COLLECTOR_STREAMS_SINK_AWS_ACCESS_KEY}"))
    }

    @Test("a file entry's access_key_path and secret_key_path select any two settings") func explicitPaths() throws {
        let text = "app {\n  s3 { id = \"\(Self.id)\" }\n  vault.secret = \"\(Self.secret)\"\n  aws { accessKey = AKIAOTHER00000000000, secretKey = other }\n}\n"
        let spec = CredentialFileSpec(path: "/etc/test/file", format: .hocon, accessKeyPath: "app.s3.id", secretKeyPath: "app.\"vault\".secret")
        let found = try CredentialFiles.parse(text.bytes, spec: spec)
        #expect(found.pairs.map(\.accessKeyID) == [Self.old.accessKeyID])
        #expect(try Self.rotate(text, spec: spec) == text.replacing(Self.id, with: "AKIAI44QH8DHBEXAMPLE").replacing(Self.secret, with: Self.new.secretAccessKey.revealed()))
        #expect(CredentialFileSpec.isHOCONPath("a.\"b.c\".d"))
        #expect(!CredentialFileSpec.isHOCONPath("a..b") && !CredentialFileSpec.isHOCONPath("a b") && !CredentialFileSpec.isHOCONPath(""))
    }

    @Test("a file with no key settings reads as no pairs") func noPairs() throws {
        #expect(try snapshot("collector { port = 8080 }\n", .hocon).pairs.isEmpty)
    }
}
