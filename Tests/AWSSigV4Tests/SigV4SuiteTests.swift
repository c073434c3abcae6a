import AWSSigV4
import Foundation
import KeyrotCore
import Testing

/// Runs every case of both copies of the AWS SigV4 test suite (header signing) and compares the
/// canonical request, the string to sign and the signature exactly.
@Suite struct SigV4SuiteTests {
    static let suiteRoot = Bundle.module.url(forResource: "Resources", withExtension: nil)!
        .appendingPathComponent("sigv4")
    static let timestamp = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z

    @Test func awsCAuthLayoutEveryCase() throws {
        let root = Self.suiteRoot.appendingPathComponent("aws-c-auth/v4")
        let cases = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        var run = 0
        for name in cases {
            let dir = root.appendingPathComponent(name)
            let context = try JSONDecoder().decode(SuiteContext.self, from: Data(contentsOf: dir.appendingPathComponent("context.json")))
            let request = try SuiteRequest(parsing: try read(dir, "request.txt"))
            let payloadHash = SigV4Signer.payloadHash(request.body)
            var headers = request.headers
            if context.sign_body {
                headers.append(HTTPHeaderField(name: "x-amz-content-sha256", value: payloadHash))
            }
            let credentials = Credentials(
                accessKeyID: AccessKeyID(stringLiteral: context.credentials.access_key_id),  // the suite's documented AKIDEXAMPLE
                secretAccessKey: Secret(context.credentials.secret_access_key),
                sessionToken: context.credentials.token.map(Secret.init))
            #expect(context.timestamp == "2015-08-30T12:36:00Z")
            let signer = SigV4Signer(normalizePath: context.normalize)
            let signature = signer.sign(
                SigV4Request(method: request.method, path: request.path, query: request.query, headers: headers, payloadHash: payloadHash),
                credentials: credentials, scope: SigningScope(region: context.region, service: context.service),
                date: Self.timestamp, signSessionToken: !(context.omit_session_token ?? false))
            #expect(signature.canonicalRequest == (try read(dir, "header-canonical-request.txt")), "\(name)")
            #expect(signature.stringToSign == (try read(dir, "header-string-to-sign.txt")), "\(name)")
            #expect(signature.signature == (try read(dir, "header-signature.txt")), "\(name)")
            run += 1
        }
        print("SigV4 suite (aws-c-auth layout): \(run) cases run")
        #expect(run == cases.count)
        #expect(run == 38)
    }

    @Test func botocoreLayoutEveryCase() throws {
        let root = Self.suiteRoot.appendingPathComponent("botocore/aws4_testsuite")
        let requestFiles = try FileManager.default.subpathsOfDirectory(atPath: root.path)
            .filter { $0.hasSuffix(".req") }.sorted()
        let credentials = Credentials(accessKeyID: AccessKeyID("AKIDEXAMPLE"), secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
        var run = 0
        for file in requestFiles {
            let base = root.appendingPathComponent(String(file.dropLast(".req".count)))
            let expectedCanonical = try String(contentsOf: base.appendingPathExtension("creq"), encoding: .utf8)
            let request = try SuiteRequest(parsing: try String(contentsOf: base.appendingPathExtension("req"), encoding: .utf8))
            let token = expectedCanonical.split(separator: "\n")
                .first { $0.hasPrefix("x-amz-security-token:") }
                .map { Secret(String($0.dropFirst("x-amz-security-token:".count))) }
            let caseCredentials = Credentials(accessKeyID: credentials.accessKeyID, secretAccessKey: credentials.secretAccessKey, sessionToken: token)
            let signature = SigV4Signer().sign(
                SigV4Request(method: request.method, path: request.path, query: request.query, headers: request.headers,
                             payloadHash: SigV4Signer.payloadHash(request.body)),
                credentials: caseCredentials, scope: SigningScope(region: "us-east-1", service: "service"), date: Self.timestamp)
            #expect(signature.canonicalRequest == expectedCanonical, "\(file)")
            #expect(signature.stringToSign == (try String(contentsOf: base.appendingPathExtension("sts"), encoding: .utf8)), "\(file)")
            #expect(signature.authorization == (try String(contentsOf: base.appendingPathExtension("authz"), encoding: .utf8)), "\(file)")
            run += 1
        }
        print("SigV4 suite (botocore layout): \(run) cases run")
        #expect(run == requestFiles.count)
        #expect(run == 34)
    }

    private func read(_ dir: URL, _ file: String) throws -> String {
        try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
    }
}

/// `context.json` of an aws-c-auth case (field names as in the file).
private struct SuiteContext: Decodable {
    struct SuiteCredentials: Decodable {
        let access_key_id: String
        let secret_access_key: String
        let token: String?
    }
    let credentials: SuiteCredentials
    let normalize: Bool
    let region: String
    let service: String
    let sign_body: Bool
    let timestamp: String
    let omit_session_token: Bool?
}
