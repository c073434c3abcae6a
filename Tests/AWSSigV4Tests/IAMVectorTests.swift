import AWSSigV4
import Foundation
import KeyrotCore
import Testing

/// The four IAM/STS vectors derived in iam-wire.md (content-type;host;x-amz-date signing of Query bodies).
@Suite struct IAMVectorTests {
    static let credentials = Credentials(accessKeyID: AccessKeyID("AKIDEXAMPLE"), secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
    static let suiteToken = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
    static let date = Date(timeIntervalSince1970: 1_440_938_160)

    func sign(host: String, body: String, scope: SigningScope, credentials: Credentials = credentials) -> SigV4Signature {
        SigV4Signer().sign(
            SigV4Request(method: "POST", headers: [
                HTTPHeaderField(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8"),
                HTTPHeaderField(name: "Host", value: host),
            ], payloadHash: SigV4Signer.payloadHash(body)),
            credentials: credentials, scope: scope, date: Self.date)
    }

    @Test func listAccessKeys() {
        let body = FormEncoder.encode([("Action", "ListAccessKeys"), ("Version", "2010-05-08"), ("UserName", "alice")])
        #expect(body == "Action=ListAccessKeys&UserName=alice&Version=2010-05-08")
        #expect(SigV4Signer.payloadHash(body) == "a41becadf1ba587fff1a2736a3b4d32bdedb0ca868dca990cef3371001c55067")
        let signature = sign(host: "iam.amazonaws.com", body: body, scope: SigningScope(region: "us-east-1", service: "iam"))
        #expect(signature.authorization == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=91dd6b691b28f9f12256c8c8f2283e0b28f1af477437d6327ab98d6bea5b94a6")
    }

    @Test func updateAccessKey() {
        let body = FormEncoder.encode([("Action", "UpdateAccessKey"), ("Version", "2010-05-08"), ("UserName", "alice"),
                                       ("Status", "Inactive"), ("AccessKeyId", "AKIAIOSFODNN7EXAMPLE")])
        #expect(body == "AccessKeyId=AKIAIOSFODNN7EXAMPLE&Action=UpdateAccessKey&Status=Inactive&UserName=alice&Version=2010-05-08")
        let signature = sign(host: "iam.amazonaws.com", body: body, scope: SigningScope(region: "us-east-1", service: "iam"))
        #expect(signature.signature == "691a13f76ebd7d6c7cd46fbec4fa74babf015d9be8be13196cb834e011b0410d")
        #expect(signature.authorization.contains("Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request,"))
    }

    @Test func getCallerIdentityRegional() {
        let body = FormEncoder.encode([("Action", "GetCallerIdentity"), ("Version", "2011-06-15")])
        let signature = sign(host: "sts.eu-west-1.amazonaws.com", body: body, scope: SigningScope(region: "eu-west-1", service: "sts"))
        #expect(signature.authorization == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=d9ce7d87516e54d16bce0dfaec690a00a86d0c6a4505e7fbaf9081d93ffcbc1f")
    }

    @Test func getCallerIdentityWithSessionToken() {
        let body = "Action=GetCallerIdentity&Version=2011-06-15"
        let withToken = Credentials(accessKeyID: Self.credentials.accessKeyID, secretAccessKey: Self.credentials.secretAccessKey,
                                    sessionToken: Secret(Self.suiteToken))
        let signature = sign(host: "sts.amazonaws.com", body: body, scope: SigningScope(region: "us-east-1", service: "sts"), credentials: withToken)
        #expect(signature.authorization == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=622eac1fa771ec74baed2bc00ed1fb9e028449ec2fdca34394adc45c47d26732")
        let added = SigV4Signer.headersToAdd(for: signature, credentials: withToken)
        #expect(added.map(\.name) == ["X-Amz-Date", "X-Amz-Security-Token", "Authorization"])
        #expect(added[0].value == "20150830T123600Z")
    }

    @Test func theSignatureDependsOnlyOnItsInputs() {
        let body = "Action=GetCallerIdentity&Version=2011-06-15"
        let scope = SigningScope(region: "eu-west-1", service: "sts")
        let signer = SigV4Signer()
        let request = SigV4Request(method: "POST", headers: [HTTPHeaderField(name: "Host", value: "sts.eu-west-1.amazonaws.com")],
                                   payloadHash: SigV4Signer.payloadHash(body))
        let first = signer.sign(request, credentials: Self.credentials, scope: scope, date: Self.date)
        let other = Credentials(accessKeyID: AccessKeyID("AKIDOTHER"), secretAccessKey: Secret("another-secret"))
        #expect(signer.sign(request, credentials: Self.credentials, scope: scope, date: Self.date) == first)
        #expect(SigV4Signer().sign(request, credentials: Self.credentials, scope: scope, date: Self.date) == first)
        #expect(signer.sign(request, credentials: other, scope: scope, date: Self.date).signature != first.signature)
        #expect(signer.sign(request, credentials: Self.credentials, scope: scope, date: Self.date.addingTimeInterval(86_400)).signature != first.signature)
        #expect(!first.authorization.contains(Self.credentials.secretAccessKey.revealed()))
    }

    /// A secret is not kept beyond the request it signs: the signer holds its one option, no
    /// derived key, no cache.
    @Test func theSignerKeepsNothingBetweenRequests() {
        let signer = SigV4Signer()
        _ = signer.sign(SigV4Request(method: "POST", headers: [], payloadHash: SigV4Signer.emptyPayloadHash),
                        credentials: Self.credentials, scope: SigningScope(region: "us-east-1", service: "iam"), date: Self.date)
        #expect(Mirror(reflecting: signer).children.map(\.label) == ["normalizePath"])
    }

    @Test func concurrentSigningWithManyKeysMatchesSequentialSigning() async {
        let signer = SigV4Signer()
        let request = SigV4Request(method: "POST", headers: [HTTPHeaderField(name: "Host", value: "iam.amazonaws.com")],
                                   payloadHash: SigV4Signer.emptyPayloadHash)
        let scope = SigningScope(region: "us-east-1", service: "iam")
        let keys = (0..<100).map { Credentials(accessKeyID: AccessKeyID(stringLiteral: "AKID\($0)"), secretAccessKey: Secret("secret-\($0)")) }
        let expected = keys.map { SigV4Signer().sign(request, credentials: $0, scope: scope, date: Self.date).signature }
        let signatures = await withTaskGroup(of: (Int, String).self) { group in
            for (index, key) in keys.enumerated() {
                group.addTask { (index, signer.sign(request, credentials: key, scope: scope, date: Self.date).signature) }
            }
            var result = [String](repeating: "", count: keys.count)
            for await (index, signature) in group { result[index] = signature }
            return result
        }
        #expect(signatures == expected)
    }
}

@Suite struct EncodingTests {
    @Test func formEncoderEscapesEverythingButUnreserved() {
        let body = FormEncoder.encode([("UserName", "a b/c:d,e=f@g+h~i-j_k.l"), ("Action", "X")])
        #expect(body == "Action=X&UserName=a%20b%2Fc%3Ad%2Ce%3Df%40g%2Bh~i-j_k.l")
        #expect(URIEncoding.encode("ሴ") == "%E1%88%B4")
    }

    @Test(arguments: [
        (0.0, "19700101T000000Z"), (1_440_938_160.0, "20150830T123600Z"), (951_782_400.0, "20000229T000000Z"),
        (4_102_444_799.9, "20991231T235959Z"),
    ])
    func amzDate(seconds: Double, expected: String) {
        let date = AMZDate(Date(timeIntervalSince1970: seconds))
        #expect(date.timestamp == expected)
        #expect(date.day == String(expected.prefix(8)))
    }
}
