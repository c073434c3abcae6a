import CredentialFiles
import KeyrotCore
import Testing

@Suite("HOCON refusals")
struct HOCONRefusalTests {
    static let id = "AKIAIOSFODNN7EXAMPLE"
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    static let pair = "accessKey = \"\(id)\"\n  secretKey = \"\(secret)\""

    @Test("refused with a code, the line and what to do; never the secret", arguments: [
        ("aws {\n  accessKey = iam\n  secretKey = iam\n}\n", CredentialFileError.Code.specialValue, 2, "'iam'"),
        ("aws {\n  access-key: \"default\"\n  secret-key: \"default\"\n}\n", .specialValue, 2, "'default'"),
        ("aws {\n  accessKey = env\n  accessKey = ${?KEY}\n  secretKey = env\n}\n", .specialValue, 2, "'env'"),
        ("aws {\n  accessKey = ${AWS_ACCESS_KEY}\n  secretKey = ${AWS_SECRET_KEY}\n}\n", .substitution, 2, "AWS_ACCESS_KEY"),
        ("aws {\n  accessKey = \"\(id)\"\n  accessKey = ${AWS_ACCESS_KEY}\n  secretKey = \"\(secret)\"\n}\n", .substitution, 3, "`env`"),
        ("aws.accessKey = ${?AWS_ACCESS_KEY}\naws.secretKey = ${?AWS_SECRET_KEY}\n", .substitution, 1, "AWS_ACCESS_KEY"),
        ("aws {\n  include \"aws-keys.conf\"\n}\n", .ambiguous, 2, "aws-keys.conf"),
        ("aws {\n  \(pair)\n}\ninclude required(file(\"/etc/snowplow/override.conf\"))\n", .ambiguous, 5, "/etc/snowplow/override.conf"),
        ("aws {\n  \(pair)\n  accessKey = \"AKIAI44QH8DHBEXAMPLE\"\n}\n", .ambiguous, 4, "lines 2 and 4"),
        ("aws {\n  \(pair)\n}\naws = ${?AWS_BLOCK}\n", .ambiguous, 5, "aws is set again"),
        ("aws {\n  \(pair)\n  accessKey = \"\(id)\"\n}\n", .ambiguous, 2, "set 2 time(s)"),
        ("aws {\n  accessKey = \"\(id)\"\n}\n", .incompletePair, 2, "secretKey"),
        ("aws.secret-key = \"\(secret)\"\n", .incompletePair, 1, "access-key"),
        ("aws {\n  accessKey = AKIA \"IOSFODNN7EXAMPLE\"\n  secretKey = \"\(secret)\"\n}\n", .unsupportedValue, 2, "single string"),
        ("aws {\n  accessKey = [\"\(id)\"]\n  secretKey = \"\(secret)\"\n}\n", .unsupportedValue, 2, "single string"),
        ("aws {\n  accessKey += \"\(id)\"\n  secretKey = \"\(secret)\"\n}\n", .unsupportedValue, 2, "+="),
        ("aws {\n  accessKey = {{accessKey}}\n  secretKey = {{secretKey}}\n}\n", .placeholder, 2, "placeholder"),
        ("aws {\n  accessKey = \"\(id)\n  secretKey = \"\(secret)\"\n}\n", .unparsable, 2, "not valid HOCON"),
        ("aws {\n  \(pair)\n", .unparsable, 1, "not closed"),
        ("aws {\n  accessKey = \"\(id)\"\n  secretKey = \"wJalrXUtnFEMI/K7\rMDENG\"\n}\n", .unparsable, 3, "control character"),
        ("aws {\n  accessKey = \"\(id)\"\n  secretKey = \"\"\"wJalrXUtnFEMI/K7\nMDENG\"\"\"\n}\n", .multiline, 3, "several lines"),
        ("aws {\n  \(pair)\n}}\n", .unparsable, 4, "not valid HOCON"),
    ] as [(String, CredentialFileError.Code, Int, String)])
    func refusals(text: String, code: CredentialFileError.Code, line: Int, mentions: String) {
        let error = credentialError { _ = try snapshot(text, .hocon) }
        #expect(error?.code == code)
        #expect(error?.line == line)
        #expect(error?.description.contains("/etc/test/file") == true)
        #expect(error?.description.contains(mentions) == true, "\(error?.description ?? "no error")")
        #expect(error?.description.contains(Self.secret) == false)
    }

    @Test("an include before the key is overridden by it and does not stop the rotation") func includeBefore() throws {
        let found = try snapshot("include \"base.conf\"\naws {\n  \(Self.pair)\n}\n", .hocon)
        #expect(found.pairs.map(\.accessKeyID.rawValue) == [Self.id])
    }

    @Test("the published samples hold `iam`: refused, naming the line") func publishedSamples() {
        for (name, line) in [("scala-stream-collector-r66-config.hocon.sample", 74), ("stream-enrich-0.12.0-config.hocon.sample", 38)] {
            let error = credentialError { _ = try CredentialFiles.read(Fixtures.spec(name, .hocon)) }
            #expect(error?.code == .specialValue, "\(name)")
            #expect(error?.line == line, "\(name)")
        }
    }
}
