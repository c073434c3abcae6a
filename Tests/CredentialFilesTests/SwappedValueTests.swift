import CredentialFiles
import KeyrotCore
import Testing

/// A file holding the secret where the id goes (the two values swapped) or anything else that is
/// not an id: refused in every format, at the id's line, with the value described and never shown.
@Suite("Values that are not access key ids")
struct SwappedValueTests {
    static let id = "AKIAIOSFODNN7EXAMPLE"
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

    /// Each format with its two values swapped, and the line of the id's slot.
    static let swapped: [(String, CredentialFileSpec.Format, Int)] = [
        ("# runner\naws:\n  access_key_id: \(secret)\n  secret_access_key: \(id)\n", .yaml, 3),
        ("aws:\n  :access_key_id: '\(secret)'\n  :secret_access_key: '\(id)'\n", .yaml, 2),
        ("{\n  \"accessKeyId\": \"\(secret)\",\n  \"secretAccessKey\": \"\(id)\"\n}\n", .json, 2),
        ("[default]\naws_access_key_id = \(secret)\naws_secret_access_key = \(id)\n", .awsCredentials, 2),
        ("# pipeline\nAWS_ACCESS_KEY_ID=\(secret)\nAWS_SECRET_ACCESS_KEY=\(id)\n", .env, 2),
        ("export AWS_ACCESS_KEY_ID=\"\(secret)\"\nexport AWS_SECRET_ACCESS_KEY=\"\(id)\"\n", .env, 1),
    ]

    @Test("swapped values are refused in every format, the secret never shown", arguments: swapped)
    func swappedRefused(text: String, format: CredentialFileSpec.Format, line: Int) {
        let error = credentialError { _ = try snapshot(text, format) }
        #expect(error?.code == .notAnAccessKeyID)
        #expect(error?.line == line)
        #expect(error?.message.contains("40 characters") == true)
        #expect(error?.message.contains("swapped") == true)
        #expect(error?.description.contains(Self.secret) == false)
        #expect(error?.description.contains("/etc/test/file:\(line):") == true)
        var dumped = ""
        dump(error, to: &dumped)
        #expect(!dumped.contains(Self.secret))
    }

    @Test("malformed ids are refused in every format, described by length", arguments: CredentialFileSpec.Format.allCases)
    func malformedRefused(format: CredentialFileSpec.Format) {
        for value in ["AKIAIOSFODNN7EXAMPL", "akiaiosfodnn7example", "AKIA-OSFODNN7EXAMPLE"] {
            let text: String
            switch format {
            case .yaml: text = "aws:\n  access_key_id: \(value)\n  secret_access_key: \(Self.secret)\n"
            case .json: text = "{\"accessKeyId\": \"\(value)\", \"secretAccessKey\": \"\(Self.secret)\"}"
            case .awsCredentials: text = "[default]\naws_access_key_id = \(value)\naws_secret_access_key = \(Self.secret)\n"
            case .env: text = "AWS_ACCESS_KEY_ID=\(value)\nAWS_SECRET_ACCESS_KEY=\(Self.secret)\n"
            }
            let error = credentialError { _ = try snapshot(text, format) }
            #expect(error?.code == .notAnAccessKeyID)
            #expect(error?.message.contains("(\(value.count) characters)") == true)
            #expect(error?.description.contains(value) == false)
            #expect(error?.description.contains(Self.secret) == false)
        }
    }
}

