import AWSSigV4
import Foundation
import KeyrotCore

// Signs a typical IAM ListAccessKeys request (form body hashing, canonical request, string to sign,
// HMAC with the cached signing key, headers to add) `count` times in batches and prints the median
// nanoseconds per signature. Usage: SigV4Bench [count]

let count = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 20_000 : 20_000
let batch = 100
let credentials = Credentials(accessKeyID: AccessKeyID("AKIDEXAMPLE"), secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
let scope = SigningScope(region: "us-east-1", service: "iam")
let date = Date(timeIntervalSince1970: 1_440_938_160)
let signer = SigV4Signer()

@inline(never)
func signOnce() -> Int {
    let body = FormEncoder.encode([("Action", "ListAccessKeys"), ("UserName", "snowplow-operator"), ("Version", "2010-05-08")])
    let request = SigV4Request(method: "POST", headers: [
        HTTPHeaderField(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8"),
        HTTPHeaderField(name: "Host", value: "iam.amazonaws.com"),
    ], payloadHash: SigV4Signer.payloadHash(body))
    let signature = signer.sign(request, credentials: credentials, scope: scope, date: date)
    return SigV4Signer.headersToAdd(for: signature, credentials: credentials).count
}

var sink = 0
for _ in 0..<1_000 { sink &+= signOnce() }  // warm-up, fills the key cache
let clock = ContinuousClock()
var perSignature: [Double] = []
for _ in 0..<max(1, count / batch) {
    let elapsed = clock.measure {
        for _ in 0..<batch { sink &+= signOnce() }
    }
    let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
    perSignature.append(nanoseconds / Double(batch))
}
perSignature.sort()
let median = perSignature[perSignature.count / 2]
print(Int(median.rounded()))
if sink == 42 { print("") }  // keeps the work observable
