import AWSSigV4
import Foundation
import IAMClient
import KeyrotCore
import Synchronization

/// A fake clock whose `sleep` advances time instantly and records the delays.
final class FakeTime: Sendable {
    private let state: Mutex<(now: Date, sleeps: [Duration])>

    init(start: Date = Date(timeIntervalSince1970: 1_764_417_600)) {
        state = Mutex((start, []))
    }

    var now: Date { state.withLock { $0.now } }
    var sleeps: [Duration] { state.withLock { $0.sleeps } }

    func environment(random: Double = 0.5) -> ClientEnvironment {
        ClientEnvironment(
            now: { self.now },
            sleep: { duration in
                self.state.withLock { state in
                    state.sleeps.append(duration)
                    state.now += Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
                }
            },
            random: { random })
    }
}

enum Fixtures {
    static let credentials = Credentials(accessKeyID: AccessKeyID("AKIDEXAMPLE"),
                                         secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))

    static func body(_ name: String) throws -> [UInt8] {
        let url = Bundle.module.url(forResource: "Resources", withExtension: nil)!
            .appendingPathComponent("responses").appendingPathComponent("\(name).xml")
        return Array(try Data(contentsOf: url))
    }

    static let endpoints = try! IAMEndpoints.aws(region: "eu-west-1")

    /// A client over `transport` with a fake clock and fast, deterministic retries.
    static func client(_ time: FakeTime = FakeTime(), policy: RetryPolicy = RetryPolicy(), transport: some HTTPTransport) -> IAMClient {
        IAMClient(endpoints: endpoints, transport: transport, retryPolicy: policy, environment: time.environment())
    }

    /// A client answering every request with `status` and the fixture `name`.
    static func client(answering name: String, status: Int = 200, headers: [HTTPHeaderField] = []) throws -> IAMClient {
        let body = try body(name)
        return client(transport: ClosureTransport { _, _ in HTTPResponseData(status: status, headers: headers, body: body) })
    }
}

/// Records every request a ClosureTransport saw.
final class RequestLog: Sendable {
    private let requests = Mutex<[HTTPRequestData]>([])
    var all: [HTTPRequestData] { requests.withLock { $0 } }
    func append(_ request: HTTPRequestData) { requests.withLock { $0.append(request) } }
}
