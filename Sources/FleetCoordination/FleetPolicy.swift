import Foundation

/// The `fleet:` settings and the rotation durations the coordination uses, in seconds.
public struct FleetPolicy: Sendable, Hashable {
    public var host: HostID
    /// A lease not renewed for this long (by the watcher's own clock) may be taken.
    public var leaseDuration: TimeInterval
    /// How often a member polls, and how often a waiting leader looks again.
    public var pollInterval: TimeInterval
    /// A member whose heartbeat is older counts as down: promotion does not wait for it.
    public var memberTimeout: TimeInterval
    /// How long live members may take to apply a pending key before the fleet rolls back.
    public var ackTimeout: TimeInterval
    /// A member silent for longer is dropped, and the old key no longer waits for it.
    public var memberGrace: TimeInterval
    /// How long a new key may take to pass its propagation check.
    public var propagationTimeout: TimeInterval
    /// The old key stays Active at least this long after promotion.
    public var overlap: TimeInterval
    /// The old key stays Inactive this long before it is deleted.
    public var grace: TimeInterval

    public init(host: HostID, leaseDuration: TimeInterval = 60, pollInterval: TimeInterval = 30, memberTimeout: TimeInterval = 300,
                ackTimeout: TimeInterval = 1_800, memberGrace: TimeInterval = 7 * 86_400, propagationTimeout: TimeInterval = 600,
                overlap: TimeInterval = 3_600, grace: TimeInterval = 86_400) {
        self.host = host
        self.leaseDuration = leaseDuration
        self.pollInterval = pollInterval
        self.memberTimeout = memberTimeout
        self.ackTimeout = ackTimeout
        self.memberGrace = memberGrace
        self.propagationTimeout = propagationTimeout
        self.overlap = overlap
        self.grace = grace
    }

    /// How long a waiting leader sleeps between looks: it renews the lease at each, at least three
    /// times per lease duration.
    var leaderPause: TimeInterval { min(pollInterval, leaseDuration / 3) }
}
