import AWSSigV4
import Foundation
import IAMClient
import KeyrotCore
import KeyrotTestSupport
import Synchronization

extension TestClock {
    /// A manual clock at 2025-11-29T12:00:00Z.
    static func atNoon() -> TestClock { TestClock(start: Date(timeIntervalSince1970: 1_764_417_600)) }

    /// The length of each sleep asked of the clock, in milliseconds (nothing else moves it).
    func sleptMilliseconds(since start: Date) -> [Double] {
        zip([start] + sleeps, sleeps).map { ($1.timeIntervalSince($0) * 1000).rounded() }
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

    /// A client over `transport` with a manual clock (retry sleeps are instant) and a jitter of 0.5.
    static func client(_ clock: TestClock = .atNoon(), policy: RetryPolicy = RetryPolicy(), transport: some HTTPTransport) -> IAMClient {
        IAMClient(endpoints: endpoints, transport: transport, retryPolicy: policy, clock: clock, random: { 0.5 })
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
