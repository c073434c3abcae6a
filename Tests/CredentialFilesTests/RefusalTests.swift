import CredentialFiles
import KeyrotCore
import Testing

@Suite("Refusals")
struct RefusalTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

    @Test("YAML refusals name the line", arguments: [
        ("aws:\n  access_key_id: &k AKIAIOSFODNN7EXAMPLE\n  secret_access_key: \(secret)\n", CredentialFileError.Code.aliasOrAnchor, 2),
        ("k: &k AKIAIOSFODNN7EXAMPLE\naws:\n  access_key_id: *k\n  secret_access_key: \(secret)\n", .aliasOrAnchor, 3),
        ("aws:\n  access_key_id: AKIAIOSFODNN7EXAMPLE\n  secret_access_key: |\n    \(secret)\n", .multiline, 3),
        ("aws:\n  access_key_id: AKIAIOSFODNN7EXAMPLE\n  secret_access_key: wJalrXUtnFEMI/K7MDENG\n    bPxRfiCYEXAMPLEKEY\n", .multiline, 3),
        ("aws:\n  access_key_id: \"AKIAIOSFODNN7\n    EXAMPLE\"\n  secret_access_key: \(secret)\n", .multiline, 2),
        ("aws:\n  access_key_id: AKIAIOSFODNN7EXAMPLE\n", .incompletePair, 2),
        ("aws:\n  :secret_access_key: \(secret)\n", .incompletePair, 2),
        ("aws:\n  access_key_id: ${AWS_KEY}\n  secret_access_key: ${AWS_SECRET}\n", .substitution, 2),
        ("aws:\n  access_key_id: '{{AWS_ACCESS_KEY}}'\n  secret_access_key: '{{AWS_SECRET_KEY}}'\n", .placeholder, 2),
        ("aws:\n  access_key_id: iam\n  secret_access_key: iam\n", .specialValue, 2),
        ("aws:\n  access_key_id: DEFAULT\n  secret_access_key: DEFAULT\n", .specialValue, 2),
        ("aws:\n  access_key_id: AKIAIOSFODNN7EXAMPLE\n  secret_access_key: \(secret)\n---\nother: 1\n", .multiDocument, 5),
        ("aws:\n  access_key_id: [a, b]\n  secret_access_key: \(secret)\n", .unsupportedValue, 2),
        ("aws:\n  access_key_id: AKIAIOSFODNN7EXAMPLE\n  secret_access_key: \(secret)\n  access_key_id: X\n", .unparsable, nil),
        ("aws:\n\taccess_key_id: AKIAIOSFODNN7EXAMPLE\n", .unparsable, 2),
    ] as [(String, CredentialFileError.Code, Int?)])
    func yamlRefusals(text: String, code: CredentialFileError.Code, line: Int?) {
        let error = credentialError { _ = try snapshot(text, .yaml) }
        #expect(error?.code == code)
        if let line { #expect(error?.line == line) }
        #expect(error?.description.contains("/etc/test/file") == true)
        #expect(error?.description.contains(Self.secret) == false)
    }

    @Test("JSON refusals", arguments: [
        ("{\"accessKeyId\": \"AKIAIOSFODNN7EXAMPLE\", \"secretAccessKey\": \"\(secret)\",}", CredentialFileError.Code.unparsable),
        ("{\"credentials\": {\"accessKeyId\": \"iam\", \"secretAccessKey\": \"iam\"}}", .specialValue),
        ("{\"accessKeyId\": \"AKIAIOSFODNN7EXAMPLE\"}", .incompletePair),
        ("{\"access_key_id\": 12, \"secret_access_key\": \"\(secret)\"}", .unsupportedValue),
        ("{\"accessKeyId\": \"{{key}}\", \"secretAccessKey\": \"{{secret}}\"}", .placeholder),
        ("{\"a\": [1, 2", .unparsable),
    ] as [(String, CredentialFileError.Code)])
    func jsonRefusals(text: String, code: CredentialFileError.Code) {
        let error = credentialError { _ = try snapshot(text, .json) }
        #expect(error?.code == code)
        #expect(error?.description.contains(Self.secret) == false)
    }

    @Test("env and INI refusals", arguments: [
        ("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n", CredentialFileSpec.Format.env, CredentialFileError.Code.incompletePair),
        ("AWS_ACCESS_KEY_ID=$OTHER\nAWS_SECRET_ACCESS_KEY=\(secret)\n", .env, .substitution),
        ("AWS_ACCESS_KEY_ID=\"AKIA\nAWS_SECRET_ACCESS_KEY=\(secret)\n", .env, .multiline),
        ("AWS_ACCESS_KEY_ID=A\nAWS_ACCESS_KEY_ID=B\nAWS_SECRET_ACCESS_KEY=\(secret)\n", .env, .ambiguous),
        ("[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n", .awsCredentials, .incompletePair),
        ("[default]\naws_access_key_id =\naws_secret_access_key = \(secret)\n", .awsCredentials, .unsupportedValue),
    ] as [(String, CredentialFileSpec.Format, CredentialFileError.Code)])
    func lineFormatRefusals(text: String, format: CredentialFileSpec.Format, code: CredentialFileError.Code) {
        let error = credentialError { _ = try snapshot(text, format) }
        #expect(error?.code == code)
        #expect(error?.line != nil)
        #expect(error?.description.contains(Self.secret) == false)
    }

    @Test("a file without the old key id is an error that names the ids it holds, never a secret")
    func keyNotFound() throws {
        let file = try snapshot("aws:\n  access_key_id: AKIAOTHERKEY00000000\n  secret_access_key: \(Self.secret)\n", .yaml)
        let error = credentialError {
            _ = try CredentialFiles.rewrite(file, replacing: AccessKeyID("AKIAIOSFODNN7EXAMPLE"), with: credentials("AKIANEW0000000000000", "x"))
        }
        #expect(error?.code == .keyNotFound)
        #expect(error?.message.contains("AKIAOTHERKEY00000000") == true)
        #expect(error?.description.contains(Self.secret) == false)
        #expect(String(describing: file).contains(Self.secret) == false)
        #expect(String(describing: file.pairs).contains(Self.secret) == false)
        var dumped = ""
        dump(file, to: &dumped)
        #expect(dumped.contains(Self.secret) == false)
        #expect(dumped.contains("AKIAOTHERKEY00000000"))
    }

    @Test("pairs holding other keys are left alone")
    func otherPairsKept() throws {
        let text = """
        runner:
          aws:
            access_key_id: AKIAOLD0000000000000
            secret_access_key: 'old/secret'
        dynamodb:
          credentials: {access_key_id: AKIAOTHER00000000000, secret_access_key: "other+secret"}
        loader:
          :aws:
            :access_key_id: AKIAOLD0000000000000
            :secret_access_key: old/secret # same key, second copy
        """
        let file = try snapshot(text, .yaml)
        #expect(file.pairs.map(\.line) == [3, 6, 9])
        let rotated = try CredentialFiles.rewrite(file, replacing: AccessKeyID("AKIAOLD0000000000000"), with: credentials("AKIANEW0000000000000", "new/secret+1"))
        let expected = text.replacingOccurrences(of: "AKIAOLD0000000000000", with: "AKIANEW0000000000000")
            .replacingOccurrences(of: "old/secret", with: "new/secret+1")
        #expect(rotated.bytes == expected.bytes)
    }

    @Test("quoted values keep their quotes and escape what they must")
    func quoting() throws {
        let text = "a:\n  access_key_id: \"AKIAOLD0000000000000\"\n  secret_access_key: 'o''ld'\n  b: {access_key_id: AKIAOLD0000000000000, secret_access_key: \"o\\\\ld\"}\n"
        let file = try snapshot(text, .yaml)
        #expect(file.pairs.map(\.secretAccessKey) == [Secret("o'ld"), Secret("o\\ld")])
        let rotated = try CredentialFiles.rewrite(file, replacing: AccessKeyID("AKIAOLD0000000000000"), with: credentials("AKIANEW0000000000000", "it's\\\""))
        #expect(String(decoding: rotated.bytes, as: UTF8.self) == "a:\n  access_key_id: \"AKIANEW0000000000000\"\n  secret_access_key: 'it''s\\\"'\n  b: {access_key_id: AKIANEW0000000000000, secret_access_key: \"it's\\\\\\\"\"}\n")
    }
}

private extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

@Suite("Positions")
struct PositionTests {
    @Test("flow mappings with multi-byte characters before the value, CRLF and no final newline")
    func flowMultiByte() throws {
        let text = "# ключ\r\ncreds: {label: \"é☕\", access_key_id: AKIAOLD0000000000000, secret_access_key: 'old' }\r\nnext: x"
        let file = try snapshot(text, .yaml)
        #expect(file.pairs.map(\.line) == [2])
        let rotated = try CredentialFiles.rewrite(file, replacing: AccessKeyID("AKIAOLD0000000000000"), with: credentials("AKIANEW0000000000000", "n/e+w"))
        #expect(String(decoding: rotated.bytes, as: UTF8.self)
            == "# ключ\r\ncreds: {label: \"é☕\", access_key_id: AKIANEW0000000000000, secret_access_key: 'n/e+w' }\r\nnext: x")
    }

    @Test("a plain value that would change the document's structure is refused, nothing returned")
    func structureChangeRefused() throws {
        let file = try snapshot("aws:\n  access_key_id: AKIAOLD0000000000000\n  secret_access_key: old\n", .yaml)
        let error = credentialError {
            _ = try CredentialFiles.rewrite(file, replacing: AccessKeyID("AKIAOLD0000000000000"), with: credentials("AKIANEW0000000000000", "a: b"))
        }
        #expect(error?.code == .verificationFailed)
        #expect(error?.description.contains("a: b") == false)
    }

    @Test("a new plain YAML value that would read as a number, bool or null is refused", arguments: ["12345", "true", "~"])
    func typedPlainValueRefused(value: String) throws {
        let file = try snapshot("aws:\n  access_key_id: AKIAOLD0000000000000\n  secret_access_key: old\n", .yaml)
        let error = credentialError {
            _ = try CredentialFiles.rewrite(file, replacing: AccessKeyID("AKIAOLD0000000000000"), with: credentials("AKIANEW0000000000000", value))
        }
        #expect(error?.code == .verificationFailed)
    }
}
