import Foundation
import KeyrotCore

/// One moto_server with authentication on, started by `Tests/Harness/moto-emulator`: the IAM user
/// with its rotation policy and one access key, plus an allow-all admin user to set up and look
/// at IAM from outside. The same harness serves the demo, the systemd tests and the fault campaign.
///
/// Stop it with ``down()``; should the test process die first, the harness's watcher stops it.
public struct MotoEmulator: Sendable {
    /// One access key of the user as IAM lists it.
    public struct Key: Decodable, Hashable, Sendable {
        public let id: String
        public let status: String
        public let created: String
    }

    private struct State: Decodable {
        struct AdminKey: Decodable {
            let id: String
            let secret: String
        }

        let endpoint: String
        let account: String
        let user: String
        let access_key_id: String
        let secret_access_key: String
        let admin: AdminKey
    }

    public let directory: URL
    public let endpoint: String
    public let account: String
    public let user: String
    /// The user's first key, which the configured files start with.
    public let accessKeyID: String
    public let secretAccessKey: String
    /// The allow-all admin user's key.
    public let adminCredentials: Credentials

    /// What the user may do in fleet mode besides rotating.
    public enum FleetRights: Sendable {
        case none
        /// The fleet host's Secrets Manager and DynamoDB actions (`keyrotd policy`'s fleet statements).
        case host
        /// Those, and what `keyrotd fleet init` needs (CreateSecret, CreateTable, DescribeTable).
        case hostAndInit
    }

    /// Starts moto; `denying` leaves these actions out of the user's policy (e.g. iam:CreateAccessKey);
    /// `fleet` adds fleet mode's actions to it.
    public static func up(in directory: URL, denying denied: [String] = [], fleet: FleetRights = .none) async throws -> MotoEmulator {
        try Repository.requireMoto()
        let watch = ["--watch", String(ProcessInfo.processInfo.processIdentifier)]
        let result = try await harness(["up", "--dir", directory.path] + watch + denied.flatMap { ["--deny", $0] } + Self.arguments(fleet))
        guard result.status == 0 else {
            _ = try? await harness(["down", "--dir", directory.path])  // a server that started but failed its bootstrap
            throw Repository.MissingPrerequisite(description: "moto-emulator up failed: \(result)")
        }
        let state = try JSONDecoder().decode(State.self, from: Data(contentsOf: directory.appending(path: "emulator.json")))
        return MotoEmulator(
            directory: directory, endpoint: state.endpoint, account: state.account, user: state.user,
            accessKeyID: state.access_key_id, secretAccessKey: state.secret_access_key,
            adminCredentials: Credentials(accessKeyID: try AccessKeyID(state.admin.id), secretAccessKey: Secret(state.admin.secret)))
    }

    private static func arguments(_ fleet: FleetRights) -> [String] {
        switch fleet {
        case .none: []
        case .host: ["--fleet"]
        case .hostAndInit: ["--fleet-init"]
        }
    }

    /// The user's keys, listed with the admin key.
    public func keys() async throws -> [Key] {
        let result = try await Self.harness(["keys", "--dir", directory.path])
        guard result.status == 0 else { throw Repository.MissingPrerequisite(description: "moto-emulator keys failed: \(result)") }
        return try JSONDecoder().decode([Key].self, from: Data(result.stdout.utf8))
    }

    /// Creates one more Active key for the user (with the admin key); returns its id.
    public func addKey() async throws -> String {
        let result = try await Self.harness(["add-key", "--dir", directory.path])
        guard result.status == 0 else { throw Repository.MissingPrerequisite(description: "moto-emulator add-key failed: \(result)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func down() async {
        _ = try? await Self.harness(["down", "--dir", directory.path])
    }

    private static func harness(_ arguments: [String]) async throws -> ChildResult {
        try await ChildProcess.run(Repository.motoEmulator, arguments)
    }
}
