import Crypto
import Foundation

/// HMAC-SHA256 (RFC 2104) with the key's inner and outer pad blocks hashed once, up front.
///
/// swift-crypto's `HMAC` keeps the same two states, but its `update` is generic and not inlinable,
/// so each call from here runs unspecialised (runtime generic-metadata lookups, a measurable share of
/// a signature). This type reaches SHA-256 only through its concrete, specialised entry points.
/// `SHA256` is a value type with copy-on-write state, only not marked `Sendable`; the pad states are
/// copied for each MAC, never mutated.
struct PrecomputedHMAC: @unchecked Sendable {
    private static let blockLength = 64
    private let inner: SHA256
    private let outer: SHA256

    init(key: some ContiguousBytes) {
        var block = [UInt8](repeating: 0, count: Self.blockLength)
        key.withUnsafeBytes { key in
            if key.count > Self.blockLength {
                SHA256.hash(data: key).withUnsafeBytes { digest in block.replaceSubrange(0..<digest.count, with: digest) }
            } else {
                block.replaceSubrange(0..<key.count, with: key)
            }
        }
        var inner = SHA256()
        inner.update(data: block.map { $0 ^ 0x36 })
        var outer = SHA256()
        outer.update(data: block.map { $0 ^ 0x5C })
        self.inner = inner
        self.outer = outer
    }

    func authenticationCode(for message: UnsafeRawBufferPointer) -> SHA256.Digest {
        var inner = self.inner
        inner.update(bufferPointer: message)
        var outer = self.outer
        inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
        return outer.finalize()
    }
}
