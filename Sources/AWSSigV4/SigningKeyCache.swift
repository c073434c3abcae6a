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
/// chain per request instead of five. The most recently used key is checked first, by equality
/// (cheaper than hashing). Safe to share between tasks.
final class SigningKeyCache: Sendable {
    private struct Key: Hashable, Sendable {
        let secret: Secret
        let day: String
        let scope: SigningScope
    }

    /// Keys of a few credentials × days × scopes at most; cleared when it grows past this.
    private static let limit = 64
    private let state = Mutex<(last: (Key, SigningKey)?, all: [Key: SigningKey])>((nil, [:]))

    func key(secret: Secret, day: String, scope: SigningScope) -> SigningKey {
        let key = Key(secret: secret, day: day, scope: scope)
        let cached = state.withLock { state -> SigningKey? in
            if let last = state.last, last.0 == key { return last.1 }
            guard let found = state.all[key] else { return nil }
            state.last = (key, found)
            return found
        }
        if let cached { return cached }
        let derived = SigningKey(
            mac: PrecomputedHMAC(key: Self.derive(secret: secret, day: day, scope: scope)),
            credentialScope: Array((day + "/" + scope.region + "/" + scope.service + "/aws4_request").utf8))
        state.withLock { state in
            if state.all.count >= Self.limit { state.all.removeAll() }
            state.all[key] = derived
            state.last = (key, derived)
        }
        return derived
    }

    /// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`.
    static func derive(secret: Secret, day: String, scope: SigningScope) -> SymmetricKey {
        var key = SymmetricKey(data: Array(("AWS4" + secret.revealed()).utf8))
        for part in [day, scope.region, scope.service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        return key
    }
}
