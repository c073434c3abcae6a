/// The canonical header block and signed-headers list of SigV4, built without per-header allocations.
///
/// Each added header's name is lowercased and its value trimmed, with inner runs of spaces and tabs
/// collapsed to one space, into one scratch buffer (stack memory for typical requests). Entries are
/// then sorted by name, ties kept in order of appearance, so a repeated name's values join with `,`
/// in the order they were given.
struct CanonicalHeaders {
    private struct Entry {
        var name: Range<Int>
        var value: Range<Int>
        var order: Int
    }

    private let scratch: UnsafeMutableBufferPointer<UInt8>
    private let entries: UnsafeMutableBufferPointer<Entry>
    private var usedBytes = 0
    private var count = 0

    /// Calls `body` with an empty set that holds up to `headers` headers of `bytes` name and value bytes in all.
    static func withScratch<Result>(headers: Int, bytes: Int, _ body: (inout CanonicalHeaders) -> Result) -> Result {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes) { scratch in
            withUnsafeTemporaryAllocation(of: Entry.self, capacity: headers) { entries in
                var set = CanonicalHeaders(scratch: scratch, entries: entries)
                return body(&set)
            }
        }
    }

    private init(scratch: UnsafeMutableBufferPointer<UInt8>, entries: UnsafeMutableBufferPointer<Entry>) {
        self.scratch = scratch
        self.entries = entries
    }

    mutating func add(name: String, value: String) {
        name.withUTF8Buffer { name in value.withUTF8Buffer { value in add(name: name, value: value) } }
    }

    mutating func add(name: StaticString, value: UnsafeBufferPointer<UInt8>) {
        add(name: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount), value: value)
    }

    mutating func add(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        precondition(count < entries.count && name.count + value.count <= scratch.count - usedBytes,
                     "CanonicalHeaders: the scratch capacity is too small")
        let nameStart = usedBytes
        for byte in name {
            scratch[usedBytes] = ASCII.lower(byte)
            usedBytes += 1
        }
        let valueStart = usedBytes
        var pendingSpace = false
        for byte in value {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                pendingSpace = usedBytes > valueStart
            } else {
                if pendingSpace {
                    scratch[usedBytes] = UInt8(ascii: " ")
                    usedBytes += 1
                }
                pendingSpace = false
                scratch[usedBytes] = byte
                usedBytes += 1
            }
        }
        (entries.baseAddress! + count).initialize(to: Entry(name: nameStart..<valueStart, value: valueStart..<usedBytes, order: count))
        count += 1
    }

    /// Sorts the headers, then writes one `name:value\n` line per distinct name.
    mutating func writeBlock(to writer: inout ByteWriter) {
        let scratch = UnsafeBufferPointer(scratch)
        var sorted = UnsafeMutableBufferPointer(rebasing: entries[..<count])
        sorted.sort { left, right in
            let order = Self.compare(scratch[left.name], scratch[right.name])
            return order != 0 ? order < 0 : left.order < right.order
        }
        for index in 0..<count {
            let entry = entries[index]
            if index > 0, Self.compare(scratch[entries[index - 1].name], scratch[entry.name]) == 0 {
                writer.write(UInt8(ascii: ","))
            } else {
                if index > 0 { writer.write(ASCII.newline) }
                writer.write(UnsafeBufferPointer(rebasing: scratch[entry.name]))
                writer.write(UInt8(ascii: ":"))
            }
            writer.write(UnsafeBufferPointer(rebasing: scratch[entry.value]))
        }
        if count > 0 { writer.write(ASCII.newline) }
    }

    /// Writes the distinct names joined by `;` (`content-type;host;x-amz-date`); call after ``writeBlock(to:)``.
    func writeSignedHeaders(to writer: inout ByteWriter) {
        let scratch = UnsafeBufferPointer(scratch)
        for index in 0..<count {
            let name = entries[index].name
            if index > 0 {
                if Self.compare(scratch[entries[index - 1].name], scratch[name]) == 0 { continue }
                writer.write(UInt8(ascii: ";"))
            }
            writer.write(UnsafeBufferPointer(rebasing: scratch[name]))
        }
    }

    /// Byte-wise lexicographic order (a proper prefix comes first): negative, zero or positive.
    private static func compare(_ left: Slice<UnsafeBufferPointer<UInt8>>, _ right: Slice<UnsafeBufferPointer<UInt8>>) -> Int {
        for (a, b) in zip(left, right) where a != b {
            return a < b ? -1 : 1
        }
        return left.count - right.count
    }
}
