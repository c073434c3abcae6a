import SystemdIntegration
import Synchronization

/// A ``ServiceNotifier`` that keeps every message, for tests of the daemon loop.
public final class RecordingNotifier: ServiceNotifier {
    public let isSupervised: Bool
    private let messages = Mutex<[[NotifyState]]>([])

    public init(isSupervised: Bool = true) {
        self.isSupervised = isSupervised
    }

    public func notify(_ states: [NotifyState]) throws {
        messages.withLock { $0.append(states) }
    }

    /// Every message, one array of states per `notify` call, oldest first.
    public var sent: [[NotifyState]] { messages.withLock { $0 } }

    /// Every state sent, flattened, oldest first.
    public var states: [NotifyState] { sent.flatMap { $0 } }

    /// The texts of all `STATUS=` states sent, oldest first.
    public var statusTexts: [String] {
        states.compactMap { if case .status(let text) = $0 { text } else { nil } }
    }
}
