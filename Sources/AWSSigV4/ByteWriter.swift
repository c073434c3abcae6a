/// Writes bytes, front to back, into memory allocated once with a precomputed upper bound.
///
/// Signing builds a few hundred bytes of text per request. Appending to `[UInt8]` or `String`
/// pays a uniqueness and growth check per call and, for `String`, UTF-8 bookkeeping; the writer
/// only checks the bound, which turns a wrong bound into a crash instead of memory corruption.
struct ByteWriter {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    /// Everything written so far.
    var written: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: buffer[..<count])
    }

    @inline(__always)
    mutating func write(_ byte: UInt8) {
        precondition(count < buffer.count, "ByteWriter: the precomputed capacity is too small")
        buffer[count] = byte
        count += 1
    }

    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        precondition(bytes.count <= buffer.count - count, "ByteWriter: the precomputed capacity is too small")
        (buffer.baseAddress! + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func write(_ text: String) {
        text.withUTF8Buffer { write($0) }
    }

    mutating func write(_ text: StaticString) {
        write(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Writes a copy of bytes written earlier (e.g. the signed-headers list again in the authorization).
    mutating func copy(_ range: Range<Int>) {
        precondition(range.upperBound <= count && range.count <= buffer.count - count, "ByteWriter: bad copy range")
        guard !range.isEmpty else { return }
        (buffer.baseAddress! + count).update(from: buffer.baseAddress! + range.lowerBound, count: range.count)
        count += range.count
    }
}
