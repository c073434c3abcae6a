import RotationEngine
import Synchronization

/// Collects the engine's events.
public final class FakeRotationEventSink: RotationEventSink {
    private let collected = Mutex([RotationEvent]())

    public init() {}

    public var events: [RotationEvent] { collected.withLock { $0 } }

    public func record(_ event: RotationEvent) {
        collected.withLock { $0.append(event) }
    }
}
