import FleetAWS
import Foundation
import IAMClient
import KeyrotCore
import KeyrotTestSupport
import Synchronization

enum FleetFixtures {
    static let signer = Credentials(accessKeyID: AccessKeyID("AKIDEXAMPLE"), secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
    /// The pair the secret holds in these tests; its secret must never appear in any text.
    static let pairSecret = "pairSECRET/abc+0123456789abcdefghijklmnop"
    static let pair = Credentials(accessKeyID: AccessKeyID("AKIAPAIR000000000001"), secretAccessKey: Secret(pairSecret))

    static let secretsManagerEndpoint = try! ServiceEndpoint(url: URL(string: "https://secretsmanager.eu-west-1.amazonaws.com")!,
                                                             signingRegion: "eu-west-1", signingService: "secretsmanager")
    static let dynamoDBEndpoint = try! ServiceEndpoint(url: URL(string: "https://dynamodb.eu-west-1.amazonaws.com")!,
                                                       signingRegion: "eu-west-1", signingService: "dynamodb")

    static func client(_ service: JSONService, policy: RetryPolicy = RetryPolicy(), transport: some HTTPTransport) -> AWSJSONClient {
        AWSJSONClient(service: service, transport: transport, retryPolicy: policy,
                      clock: TestClock(start: Date(timeIntervalSince1970: 1_764_417_600)), random: { 0.5 })
    }

    static func json(_ text: String) -> [UInt8] { Array(text.utf8) }
}

/// Records every request a ClosureTransport saw.
final class Requests: Sendable {
    private let requests = Mutex<[HTTPRequestData]>([])
    var all: [HTTPRequestData] { requests.withLock { $0 } }
    func append(_ request: HTTPRequestData) { requests.withLock { $0.append(request) } }

    /// A transport answering from `script` in order (the last entry repeats).
    func scripted(_ script: [Result<HTTPResponseData, IAMError>]) -> ClosureTransport {
        ClosureTransport { request, _ in
            self.append(request)
            return try script[min(self.all.count - 1, script.count - 1)].get()
        }
    }

    func body(_ index: Int) -> JSONValue? { JSONValue.parse(all[index].body) }
}
