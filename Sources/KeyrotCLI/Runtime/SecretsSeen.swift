import KeyrotCore
import RotationEngine
import Synchronization

/// Every secret access key that crossed a port during this process's runs: read from the files,
/// returned by CreateAccessKey, loaded from the rotation record. `verify_command`'s output is
/// masked with exactly these (a length heuristic masked innocent 40-character words, such as a
/// git commit id, and missed a secret printed in pieces of another shape).
final class SecretsSeen: PortCallHook {
    private let secrets = Mutex<Set<Secret>>([])

    func around<T: Sendable>(_ call: PortCall, _ work: () async throws -> T) async throws -> T {
        let result = try await work()
        let found: [Secret] = switch result {
        case let snapshot as CredentialFileContents: snapshot.pairs.map(\.secretAccessKey)
        case let credentials as Credentials: [credentials.secretAccessKey]
        case let record as RotationRecord: [record.oldSecret?.secret, record.newSecret?.secret].compactMap { $0 }
        default: []
        }
        if !found.isEmpty {
            secrets.withLock { $0.formUnion(found.filter { !$0.isEmpty }) }
        }
        return result
    }

    var all: [Secret] { secrets.withLock { Array($0) } }
}
