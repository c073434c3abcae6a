import ArgumentParser
import CredentialFiles
import DurableFS
import FoundationEssentials
import Glibc
import IAMClient
import KeyrotConfig
import KeyrotCore
import Logging
import RotationEngine

/// `keyrotd check`: read-only validation of everything a rotation needs.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the configuration, the files, the credentials and the keys, changing nothing.",
        discussion: """
            Validates the configuration and every file, checks that the files hold the same key, \
            authenticates with it, lists the user's keys with their ages, asks polkit whether this \
            user may restart each of restart_units, with a fleet: section reads the fleet's secret, \
            table and this host's membership, and prints the next rotation date and every problem \
            found. Exit status 0 only when a rotation could start.
            """
    )

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let configuration = try options.loadConfiguration()
        let policy = RotationRuntime.policy(for: configuration)
        let files = ConfiguredFileStore(files: configuration.files, stateDirectory: configuration.stateDirectory)
        var problems: [String] = []
        var unreachable = false

        var snapshots: [CredentialFileContents] = []
        for spec in configuration.files {
            do {
                let snapshot = try await files.read(path: spec.path)
                snapshots.append(snapshot)
                let ids = snapshot.pairs.map(\.accessKeyID.rawValue)
                print("file \(spec.path) (\(spec.format.rawValue)): \(ids.isEmpty ? "no key" : "key " + ids.joined(separator: ", "))")
            } catch {
                problems.append("\(error)")
            }
        }

        if problems.isEmpty, case .success(let credentials) = policy.agreedCredentials(in: Dictionary(snapshots.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })) {
            do {
                let client = try RotationRuntime.client(for: configuration, logger: Logger(label: "keyrotd"))
                problems += try await checkKeys(with: credentials, client: client, policy: policy, snapshots: snapshots)
                if configuration.fleet != nil {
                    problems += await FleetCheck.problems(configuration, configPath: options.config, credentials: credentials) { print($0) }
                }
            } catch let error as IAMError where error.isTemporary {
                unreachable = true
                problems.append(error.description)
            } catch {
                problems.append("\(error)")
            }
        } else if problems.isEmpty {
            problems += policy.readiness(files: snapshots, keys: []).problems.map(\.message)
        }

        checkState(configuration.stateDirectory, problems: &problems)
        problems += RestartPermissionCheck.problems(units: configuration.restartUnits, configPath: options.config) { print($0) }
        if problems.isEmpty {
            print("ok: a rotation can start")
            return
        }
        print("problems:")
        for problem in problems { print("  - \(problem)") }
        throw ExitCode(unreachable ? ExitStatus.temporaryFailure : ExitStatus.failure)
    }

    /// Authenticates with the files' key, lists the user's keys and applies preflight's rules.
    private func checkKeys(with credentials: Credentials, client: IAMClient, policy: RotationPolicy,
                           snapshots: [CredentialFileContents]) async throws -> [String] {
        let identity = try await client.getCallerIdentity(credentials: credentials)
        print("authenticated as \(identity.arn) (account \(identity.account))")
        guard identity.isUser(policy.user) else {
            return ["the files' key \(credentials.accessKeyID) belongs to \(identity.arn), not to the configured user \(policy.user)"]
        }
        let keys = try await IAMKeyService(client: client).listAccessKeys(user: policy.user, signedWith: credentials)
        let now = SystemClock().now
        for key in keys {
            let days = Int(now.timeIntervalSince(key.createdAt) / 86_400)
            let role = key.keyID == credentials.accessKeyID ? "the files' key" : "in no configured file"
            print("key \(key.keyID): \(key.status.rawValue), \(days) days old (\(role))")
        }
        let readiness = policy.readiness(files: snapshots, keys: keys)
        if let due = readiness.nextDue {
            print("next rotation: \(MinuteStamp.text(due))" + (due <= now ? " (due now)" : ""))
        }
        return readiness.problems.map(\.message)
    }

    private func checkState(_ directory: String, problems: inout [String]) {
        if access(directory, W_OK) != 0 && errno != ENOENT {
            problems.append("the state directory \(directory) is not writable by this user")
        }
        if DaemonLiveness.holdsLock(StateDirectoryLayout(directory).lock) {
            print("a keyrotd daemon is running on \(directory)")
        }
        if let data = FileManager.default.contents(atPath: StateDirectoryLayout(directory).record),
           let record = try? RotationRecord.decoded(from: data), record.phase != .idle {
            problems.append("a rotation is in flight (phase \(record.phase)); it is finished by the running daemon or by `keyrotd rotate`")
        }
    }
}
