import Logging

/// The journal MESSAGE_IDs of keyrotd's events. Each has an entry in `systemd/keyrotd.catalog`
/// that `journalctl -x` shows next to the entry. The ids were made with `systemd-id128 new` and
/// must never change: operators filter on them.
///
///     logger.notice("rotation completed", metadata: [
///         MessageID.metadataKey: MessageID.rotationCompleted.metadataValue,
///         "key_id": "\(old)", "new_key_id": "\(new)",
///     ])
public struct MessageID: Sendable, Hashable, CustomStringConvertible {
    /// The name used in code and in the catalog's comments, e.g. `rotationCompleted`.
    public let name: String
    /// 128 bits as 32 lowercase hex digits, as journald expects in `MESSAGE_ID=`.
    public let id: String

    private init(_ name: String, _ id: String) {
        self.name = name
        self.id = id
    }

    public var description: String { id }

    /// The metadata key the journal handler turns into the `MESSAGE_ID` field.
    public static let metadataKey = "message_id"

    /// The id as a metadata value for ``metadataKey``.
    public var metadataValue: Logger.MetadataValue { .string(id) }

    public static let daemonStarted = MessageID("daemonStarted", "f6f612537826487cadf0ad08a7d09a1e")
    public static let configurationReloaded = MessageID("configurationReloaded", "ac57287b1fb84167aaa42f4c9ec6a381")
    public static let configurationInvalid = MessageID("configurationInvalid", "6795dd51254649169eb31771b14b4807")
    public static let daemonStopping = MessageID("daemonStopping", "bf99cb3a62c44a44ad37c61014e4b611")
    public static let rotationStarted = MessageID("rotationStarted", "fc7869d3a70e4f72a0727f59f2fd9315")
    public static let rotationCompleted = MessageID("rotationCompleted", "2210c75e03bd4291ae7f537120ec5592")
    public static let rotationFailed = MessageID("rotationFailed", "7ee4504898714cf6aaa8e011c1e2622b")
    public static let rotationRolledBack = MessageID("rotationRolledBack", "ba7d8c34c889472eaa962f75a61035fb")
    public static let keyCreated = MessageID("keyCreated", "fedcf8eeff81414292c77793272e088b")
    public static let keyDeactivated = MessageID("keyDeactivated", "3d6b7a48ea814f48a3fa632de34d0c5a")
    public static let keyDeleted = MessageID("keyDeleted", "b1b4f85c006b4d919f0fe6d00ddc9a1b")
    public static let oldKeyStillInUse = MessageID("oldKeyStillInUse", "3ed42a4f9ead48a39e285c3653a4d902")
    public static let filesOutOfSync = MessageID("filesOutOfSync", "d3c1a15683ec46aabc5f317c94d32c52")
    public static let recoveredAfterCrash = MessageID("recoveredAfterCrash", "d4360a5ce1644f1ca6ae6d3582bae10a")
    public static let unitRestartFailed = MessageID("unitRestartFailed", "7eace9fdc198450383ca623f61c37195")
    // Fleet mode (issue 13): each entry carries the host concerned in KEYROTD_HOST.
    public static let fleetLeaseTaken = MessageID("fleetLeaseTaken", "7e7854d2a1c24d8ba72ce407f37cd4f8")
    public static let fleetLeaseLost = MessageID("fleetLeaseLost", "c5c1ee2610ad4493b04ddf7456378578")
    public static let fleetHostAcknowledged = MessageID("fleetHostAcknowledged", "e6940253df95478ba033a0cc2e6beade")
    public static let fleetHostMissing = MessageID("fleetHostMissing", "30f9bdbefeee441c80c55966f682d039")
    public static let fleetRolledBack = MessageID("fleetRolledBack", "07de545fac0e49329426ff27a39472ef")
    public static let fleetMemberDropped = MessageID("fleetMemberDropped", "9b7860970a134cd081ffd464bf7e70aa")
    public static let fleetHostRefused = MessageID("fleetHostRefused", "6d57444ee3a949c5a990c4a61b84947e")

    /// Every id keyrotd logs; the catalog holds exactly these.
    public static let all: [MessageID] = [
        daemonStarted, configurationReloaded, configurationInvalid, daemonStopping,
        rotationStarted, rotationCompleted, rotationFailed, rotationRolledBack,
        keyCreated, keyDeactivated, keyDeleted, oldKeyStillInUse, filesOutOfSync, recoveredAfterCrash,
        unitRestartFailed,
        fleetLeaseTaken, fleetLeaseLost, fleetHostAcknowledged, fleetHostMissing, fleetRolledBack, fleetMemberDropped,
        fleetHostRefused,
    ]
}
