import ArgumentParser
import CredentialFiles
import Foundation
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
            authenticates with it, lists the user's keys with their ages and prints the next rotation \
            date and every problem found. Exit status 0 only when a rotation could start.
            """
    )

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let configuration = try options.loadConfiguration()
        var problems: [String] = []
        var unreachable = false

        let pairs = readFiles(configuration.files, problems: &problems)
        let keys = Set(pairs.map(\.credentials))
        if keys.count > 1 {
            problems.append("the files do not hold the same key: " + pairs.map { "\($0.path) holds \($0.credentials.accessKeyID)" }.joined(separator: ", "))
        }

        if keys.count == 1, let credentials = keys.first {
            do {
                let client = try RotationRuntime.client(for: configuration, logger: Logger(label: "keyrotd"))
                try await checkKeys(with: credentials, client: client, configuration: configuration, problems: &problems)
            } catch let error as IAMTransportError where error.isTemporary {
                unreachable = true
                problems.append(error.description)
            } catch {
                problems.append("\(error)")
            }
        }

        checkState(configuration.stateDirectory, problems: &problems)
        if problems.isEmpty {
            print("ok: a rotation can start")
            return
        }
        print("problems:")
        for problem in problems { print("  - \(problem)") }
        throw ExitCode(unreachable ? ExitStatus.temporaryFailure : ExitStatus.failure)
    }

    private func readFiles(_ specs: [CredentialFileSpec], problems: inout [String]) -> [(path: String, credentials: Credentials)] {
        var pairs: [(path: String, credentials: Credentials)] = []
        for spec in specs {
            do {
                let snapshot = try CredentialFiles.read(spec)
                guard let pair = snapshot.pairs.first else {
                    problems.append("\(spec.path): holds no access key pair")
                    continue
                }
                for found in snapshot.pairs {
                    pairs.append((spec.path, Credentials(accessKeyID: found.accessKeyID, secretAccessKey: found.secretAccessKey)))
                }
                print("file \(spec.path) (\(spec.format.rawValue)): key \(pair.accessKeyID), line \(pair.line)")
            } catch {
                problems.append("\(error)")
            }
        }
        return pairs
    }

    private func checkKeys(with credentials: Credentials, client: IAMClient, configuration: KeyrotConfiguration,
                           problems: inout [String]) async throws {
        let identity = try await client.getCallerIdentity(credentials: credentials)
        print("authenticated as \(identity.arn) (account \(identity.account))")
        guard RotationEngine.CallerIdentity(account: identity.account, arn: identity.arn).isUser(configuration.user) else {
            problems.append("the files' key \(credentials.accessKeyID) belongs to \(identity.arn), not to the configured user \(configuration.user)")
            return
        }
        let keys = try await client.listAccessKeys(userName: configuration.user, credentials: credentials)
        let now = Date()
        for key in keys {
            let days = Int(now.timeIntervalSince(key.createDate) / 86_400)
            let role = key.id == credentials.accessKeyID ? "the files' key" : "not in any configured file"
            print("key \(key.id): \(key.status.rawValue), \(days) days old (\(role))")
        }
        guard let current = keys.first(where: { $0.id == credentials.accessKeyID }) else {
            problems.append("the files' key \(credentials.accessKeyID) is not one of \(configuration.user)'s keys")
            return
        }
        if current.status != .active {
            problems.append("the files' key \(current.id) is \(current.status.rawValue); activate it or put the Active key in the files")
        }
        for other in keys where other.id != current.id && other.status == .active && !configuration.deleteUnknownActiveKeys {
            problems.append("a second Active key \(other.id) is used by no configured file: a rotation would refuse to delete it; add the file that holds it, delete it, or set delete_unknown_active_keys: true")
        }
        let due = current.createDate.addingTimeInterval(configuration.maxAge.timeInterval)
        print("next rotation: \(RotationEvent.stamp(due))" + (due <= now ? " (due now)" : ""))
    }

    private func checkState(_ directory: String, problems: inout [String]) {
        if access(directory, W_OK) != 0 && errno != ENOENT {
            problems.append("the state directory \(directory) is not writable by this user")
        }
        let path = directory + "/keyrotd.lock"
        if DaemonLiveness.holdsLock(path) {
            print("a keyrotd daemon is running on \(directory)")
        }
        if let data = FileManager.default.contents(atPath: directory + "/state.json"),
           let record = try? RotationRecord.decoded(from: data), record.phase != .idle {
            problems.append("a rotation is in flight (phase \(record.phase)); it is finished by the running daemon or by `keyrotd rotate`")
        }
    }
}
