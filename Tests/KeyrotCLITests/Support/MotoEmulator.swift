import Foundation

/// One moto_server with authentication on, started by `Tests/Harness/moto-emulator` for one test:
/// the IAM user with its rotation policy and one access key, plus an admin key to look from outside.
struct MotoEmulator {
    /// One access key of the user as IAM lists it.
    struct Key: Decodable, Hashable {
        let id: String
        let status: String
        let created: String
    }

    private struct State: Decodable {
        let endpoint: String
        let account: String
        let user: String
        let access_key_id: String
        let secret_access_key: String
    }

    let directory: URL
    let endpoint: String
    let account: String
    let user: String
    /// The user's first key, which the configured files start with.
    let accessKeyID: String
    let secretAccessKey: String

    /// Starts moto; `denying` leaves these actions out of the user's policy (e.g. iam:CreateAccessKey).
    static func up(in directory: URL, denying denied: [String] = []) async throws -> MotoEmulator {
        try Repository.requireMoto()
        let result = try await harness(["up", "--dir", directory.path] + denied.flatMap { ["--deny", $0] })
        guard result.status == 0 else {
            _ = try? await harness(["down", "--dir", directory.path])  // a server that started but failed its bootstrap
            throw Repository.MissingPrerequisite(description: "moto-emulator up failed: \(result)")
        }
        let state = try JSONDecoder().decode(State.self, from: Data(contentsOf: directory.appending(path: "emulator.json")))
        return MotoEmulator(directory: directory, endpoint: state.endpoint, account: state.account, user: state.user,
                            accessKeyID: state.access_key_id, secretAccessKey: state.secret_access_key)
    }

    /// The user's keys, listed with the admin key.
    func keys() async throws -> [Key] {
        let result = try await Self.harness(["keys", "--dir", directory.path])
        guard result.status == 0 else { throw Repository.MissingPrerequisite(description: "moto-emulator keys failed: \(result)") }
        return try JSONDecoder().decode([Key].self, from: Data(result.stdout.utf8))
    }

    /// Creates one more Active key for the user (with the admin key); returns its id.
    func addKey() async throws -> String {
        let result = try await Self.harness(["add-key", "--dir", directory.path])
        guard result.status == 0 else { throw Repository.MissingPrerequisite(description: "moto-emulator add-key failed: \(result)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func down() async {
        _ = try? await Self.harness(["down", "--dir", directory.path])
    }

    private static func harness(_ arguments: [String]) async throws -> ChildResult {
        try await ChildProcess.run(Repository.motoEmulator, arguments)
    }
}
