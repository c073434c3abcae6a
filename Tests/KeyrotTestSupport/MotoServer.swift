import Foundation
import IAMClient
import KeyrotCore

/// The moto_server shared by every IAM client test of one test process (``shared()``): the
/// harness's emulator (``MotoEmulator``, authentication on), whose admin key sets up users with
/// exactly the policies a test needs, through keyrotd's own client.
public actor MotoServer {
    /// The loopback URL serving IAM and STS, e.g. `http://127.0.0.1:41234`.
    public nonisolated let url: URL
    /// Endpoints for ``IAMClient``: both services at ``url`` (moto routes by credential scope).
    public nonisolated let endpoints: IAMEndpoints
    /// The allow-all admin user's key, for setting up users and checking results.
    public nonisolated var adminCredentials: Credentials { emulator.adminCredentials }
    private nonisolated let emulator: MotoEmulator

    private init(emulator: MotoEmulator) throws {
        guard let url = URL(string: emulator.endpoint) else {
            throw Repository.MissingPrerequisite(description: "moto-emulator gave no valid endpoint: \(emulator.endpoint)")
        }
        self.emulator = emulator
        self.url = url
        endpoints = try IAMEndpoints.emulator(url: url)
    }

    /// The process-wide moto, started on first use; the harness's watcher stops it when the test
    /// process ends.
    public static func shared() async throws -> MotoServer {
        try await SharedMoto.instance.server()
    }

    /// Tests that need moto use `.enabled(if: MotoServer.shouldRun)`: moto installed, or CI=true
    /// (where a missing moto must fail, not skip).
    public static var shouldRun: Bool { Repository.shouldRunIntegration }

    /// A name no other test of this process uses.
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// A client for this moto with fast retries (tests need no long backoff).
    public nonisolated func client() -> IAMClient {
        IAMClient(endpoints: endpoints, transport: AsyncHTTPClientTransport(proxySettings: ProxySettings(proxyHost: nil)),
                  retryPolicy: RetryPolicy(maxAttempts: 2, deadline: .seconds(20), baseDelay: .milliseconds(50),
                                           requestTimeout: .seconds(10)))
    }

    /// Creates user `name` with the inline policy document `policy` (JSON) and one access key,
    /// signed with the admin key.
    public func makeUser(name: String, policy: String) async throws -> Credentials {
        let client = client()
        let admin = adminCredentials
        _ = try await client.perform("CreateUser", service: .iam, parameters: [("UserName", name)], credentials: admin)
        _ = try await client.perform("PutUserPolicy", service: .iam, parameters: [
            ("UserName", name), ("PolicyName", "\(name)-policy"), ("PolicyDocument", policy),
        ], credentials: admin)
        return try await client.createAccessKey(userName: name, credentials: admin).credentials
    }

    /// A policy allowing exactly `actions` (e.g. `["iam:ListAccessKeys"]`) on every resource.
    public static func policy(allowing actions: [String]) -> String {
        let list = actions.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["#+list+#"],"Resource":"*"}]}"#
    }

    fileprivate static func start() async throws -> MotoServer {
        let directory = FileManager.default.temporaryDirectory.appending(path: uniqueName("keyrotd-moto"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try MotoServer(emulator: try await MotoEmulator.up(in: directory))
    }
}

/// Holds the one start-up task of the process-wide moto.
private actor SharedMoto {
    static let instance = SharedMoto()
    private var starting: Task<MotoServer, any Error>?

    func server() async throws -> MotoServer {
        if let starting { return try await starting.value }
        let task = Task { try await MotoServer.start() }
        starting = task
        return try await task.value
    }
}
