import AWSSigV4
import Foundation
import IAMClient
import KeyrotCore

/// A real `moto_server` child on a free loopback port, with IAM authentication ON, shared by every
/// test of one test process (``shared()``).
///
/// Bootstrap: with moto's default (no authentication) it creates an admin user with an allow-all
/// policy and a key, then switches authentication on (`POST /moto-api/reset-auth` with `0`); from
/// then on every IAM/STS request must be signed by a key of an existing user and is policy-checked.
/// The child is stopped by ``shutdown()`` or, at the latest, when the test process exits (a watchdog
/// shell around it polls the parent's pid).
public actor MotoServer {
    /// The loopback URL serving IAM and STS, e.g. `http://127.0.0.1:41234`.
    public nonisolated let url: URL
    /// Endpoints for ``IAMClient``: both services at ``url`` (moto routes by credential scope).
    public nonisolated let endpoints: IAMEndpoints
    /// The allow-all admin user's key, for setting up users and checking results.
    public nonisolated let adminCredentials: Credentials
    private let process: Process

    private init(url: URL, endpoints: IAMEndpoints, adminCredentials: Credentials, process: Process) {
        self.url = url
        self.endpoints = endpoints
        self.adminCredentials = adminCredentials
        self.process = process
    }

    /// The process-wide moto, started on first use.
    public static func shared() async throws -> MotoServer {
        try await SharedMoto.instance.server()
    }

    /// Whether moto's server can be started here (a `python3` on PATH that imports `moto.server`).
    public static var isInstalled: Bool { launchCommand() != nil }

    /// Tests that need moto use `.enabled(if: MotoServer.shouldRun)`: moto installed, or CI=true
    /// (where a missing moto must fail, not skip).
    public static var shouldRun: Bool {
        isInstalled || ProcessInfo.processInfo.environment["CI"] == "true"
    }

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

    /// Creates user `name` with the inline policy document `policy` (JSON) and one access key.
    public func makeUser(name: String, policy: String) async throws -> Credentials {
        try await Self.createUser(name: name, policy: policy, client: client(), signedWith: adminCredentials)
    }

    /// Stops the child (also done automatically when the test process exits): ending the watchdog
    /// shell makes the kernel kill moto.
    public func shutdown() {
        if process.isRunning { process.terminate() }
    }

    /// The allow-all policy of the admin user.
    public static let allowAllPolicy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#

    /// A policy allowing exactly `actions` (e.g. `["iam:ListAccessKeys"]`) on every resource.
    public static func policy(allowing actions: [String]) -> String {
        let list = actions.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["#+list+#"],"Resource":"*"}]}"#
    }

    // MARK: - Start

    static func start() async throws -> MotoServer {
        guard let command = launchCommand() else {
            throw MotoError(message: "moto_server is not installed (no python3 on PATH can import moto.server); install it with `pip install 'moto[server]'`")
        }
        let port = try LoopbackSocket.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // Watchdog: start moto, then kill it by its pid when the test process (our pid) is gone.
        let script = #"""
            "$@" & moto=$!
            while kill -0 "$PARENT_PID" 2>/dev/null && kill -0 "$moto" 2>/dev/null; do sleep 1; done
            kill -9 "$moto" 2>/dev/null
            """#
        process.arguments = ["-c", script, "moto-watchdog"] + command + ["-H", "127.0.0.1", "-p", String(port)]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        environment["PARENT_PID"] = String(ProcessInfo.processInfo.processIdentifier)
        environment.removeValue(forKey: "INITIAL_NO_AUTH_ACTION_COUNT")
        process.environment = environment
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(port).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()

        let url = URL(string: "http://127.0.0.1:\(port)")!
        let endpoints = try IAMEndpoints.emulator(url: url)
        do {
            try await waitUntilAnswering(url, process: process, log: log)
            let admin = try await bootstrapAdmin(endpoints: endpoints)
            try await switchAuthenticationOn(url)
            return MotoServer(url: url, endpoints: endpoints, adminCredentials: admin, process: process)
        } catch {
            if process.isRunning { process.terminate() }
            throw error
        }
    }

    /// Starts moto's server module in a python3 that can import it. The interpreter asks the kernel
    /// to SIGKILL it when its parent (the watchdog shell) ends, so no moto outlives a test run
    /// (moto_server does not reliably exit on SIGTERM).
    private static let serverScript = """
        import ctypes, signal, sys
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)
        from moto.server import main
        main(sys.argv[1:])
        """

    private static let cachedLaunchCommand: [String]? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let python = "\(directory)/python3"
            guard FileManager.default.isExecutableFile(atPath: python) else { continue }
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: python)
            probe.arguments = ["-c", "import moto.server"]
            probe.standardOutput = FileHandle.nullDevice
            probe.standardError = FileHandle.nullDevice
            guard (try? probe.run()) != nil else { return nil }
            probe.waitUntilExit()
            return probe.terminationStatus == 0 ? [python, "-c", serverScript] : nil
        }
        return nil
    }()

    private static func launchCommand() -> [String]? { cachedLaunchCommand }

    private static func waitUntilAnswering(_ url: URL, process: Process, log: URL) async throws {
        let transport = AsyncHTTPClientTransport(proxySettings: ProxySettings(proxyHost: nil))
        let probe = HTTPRequestData(url: url.appendingPathComponent("moto-api/data.json"), method: "GET", headers: [], body: [])
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            guard process.isRunning else {
                throw MotoError(message: "moto_server exited during start-up; see \(log.path)")
            }
            if let response = try? await transport.send(probe, timeout: .seconds(2)), response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw MotoError(message: "moto_server did not answer on \(url) within 60 s; see \(log.path)")
    }

    /// While authentication is still off, any signature is accepted: sign with a throwaway key.
    private static func bootstrapAdmin(endpoints: IAMEndpoints) async throws -> Credentials {
        let client = IAMClient(endpoints: endpoints, transport: AsyncHTTPClientTransport(proxySettings: ProxySettings(proxyHost: nil)))
        let bootstrap = Credentials(accessKeyID: AccessKeyID("AKIABOOTSTRAPEXAMPLE"), secretAccessKey: Secret("bootstrap"))
        return try await createUser(name: "keyrotd-test-admin", policy: allowAllPolicy, client: client, signedWith: bootstrap)
    }

    private static func createUser(name: String, policy: String, client: IAMClient, signedWith credentials: Credentials) async throws -> Credentials {
        _ = try await client.perform("CreateUser", service: .iam, parameters: [("UserName", name)], credentials: credentials)
        _ = try await client.perform("PutUserPolicy", service: .iam, parameters: [
            ("UserName", name), ("PolicyName", "\(name)-policy"), ("PolicyDocument", policy),
        ], credentials: credentials)
        return try await client.createAccessKey(userName: name, credentials: credentials).credentials
    }

    private static func switchAuthenticationOn(_ url: URL) async throws {
        let transport = AsyncHTTPClientTransport(proxySettings: ProxySettings(proxyHost: nil))
        let request = HTTPRequestData(
            url: url.appendingPathComponent("moto-api/reset-auth"), method: "POST",
            headers: [HTTPHeaderField(name: "Content-Type", value: "text/plain")], body: Array("0".utf8))
        let response = try await transport.send(request, timeout: .seconds(10))
        guard response.status == 200 else {
            throw MotoError(message: "moto reset-auth answered HTTP \(response.status); authentication could not be switched on")
        }
    }
}

/// moto could not be started or set up.
public struct MotoError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
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
