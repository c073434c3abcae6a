extension String {
    /// Calls `body` with the string's UTF-8 bytes: in place for native and small strings (all strings
    /// on Linux), through a copy otherwise.
    func withUTF8Buffer<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        return try Array(utf8).withUnsafeBufferPointer(body)
    }
}
