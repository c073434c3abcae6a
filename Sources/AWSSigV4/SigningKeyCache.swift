import Crypto
import KeyrotCore
import Synchronization

/// What signing with one (secret, day, region, service) needs besides the request: an HMAC already
/// keyed with the derived signing key, and the credential scope text (`20150830/us-east-1/iam/aws4_request`).
struct SigningKey: Sendable {
    let mac: PrecomputedHMAC
    let credentialScope: [UInt8]
}

/// Derived signing keys by (secret, day, scope), so signing many requests in one day costs one HMAC
/// chain per request instead of five. Safe to share between tasks.
///
/// The most recently used entry is checked first, field by field against the caller's values (no key
/// is built, hashed or retained on that path), under a lock held only for that comparison.
final class SigningKeyCache: Sendable {
    private struct Key: Hashable, Sendable {
        let secret: Secret
        let day: String
        let scope: SigningScope
    }

    /// A cache entry as one reference, so handing out the last-used one costs one retain.
    private final class Entry: Sendable {
        let key: Key
        let dayBytes: [UInt8]
        let signingKey: SigningKey

        init(key: Key, signingKey: SigningKey) {
            self.key = key
            self.dayBytes = Array(key.day.utf8)
            self.signingKey = signingKey
        }

        func matches(secret: Secret, day: UnsafeBufferPointer<UInt8>, scope: SigningScope) -> Bool {
            dayBytes.elementsEqual(day) && key.scope == scope && key.secret == secret
        }
    }

    /// Keys of a few credentials × days × scopes at most; cleared when it grows past this.
    private static let limit = 64
    private let state = Mutex<(last: Entry?, all: [Key: Entry])>((nil, [:]))

    /// - Parameter day: the credential scope date (`20150830`) as UTF-8.
    func key(secret: Secret, day: UnsafeBufferPointer<UInt8>, scope: SigningScope) -> SigningKey {
        let last = state.withLock { $0.last }
        if let last, last.matches(secret: secret, day: day, scope: scope) { return last.signingKey }
        let key = Key(secret: secret, day: String(decoding: day, as: UTF8.self), scope: scope)
        let found = state.withLock { state -> Entry? in
            guard let found = state.all[key] else { return nil }
            state.last = found
            return found
        }
        if let found { return found.signingKey }
        let derived = Entry(key: key, signingKey: Self.derive(key))
        state.withLock { state in
            if state.all.count >= Self.limit { state.all.removeAll() }
            state.all[key] = derived
            state.last = derived
        }
        return derived.signingKey
    }

    private static func derive(_ key: Key) -> SigningKey {
        SigningKey(
            mac: PrecomputedHMAC(key: signingKey(secret: key.secret, day: key.day, scope: key.scope)),
            credentialScope: Array((key.day + "/" + key.scope.region + "/" + key.scope.service + "/aws4_request").utf8))
    }

    /// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`.
    private static func signingKey(secret: Secret, day: String, scope: SigningScope) -> SymmetricKey {
        var key = SymmetricKey(data: Array(("AWS4" + secret.revealed()).utf8))
        for part in [day, scope.region, scope.service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        return key
    }
}
