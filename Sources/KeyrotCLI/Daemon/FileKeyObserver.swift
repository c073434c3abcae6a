import KeyrotCore
import RotationEngine
import Synchronization

/// Remembers the key id the first configured file held when the engine last read it, so that the
/// daemon's idle STATUS names the key without reading a file itself (a read can block: a FIFO in
/// place of the file; STATUS must never wait on the file system).
final class FileKeyObserver: PortCallHook {
    let path: String
    private let keyID = Mutex<String?>(nil)

    init(path: String) {
        self.path = path
    }

    func around<T: Sendable>(_ call: PortCall, _ work: () async throws -> T) async throws -> T {
        let result = try await work()
        if let snapshot = result as? CredentialFileContents, snapshot.path == path {
            keyID.withLock { $0 = snapshot.pairs.first?.accessKeyID.abbreviated }
        }
        return result
    }

    /// "AKIA…ABCD" as last read, nil before the first read.
    var abbreviatedKeyID: String? { keyID.withLock { $0 } }
}
