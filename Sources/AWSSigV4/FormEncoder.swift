/// Builds `application/x-www-form-urlencoded` bodies for the AWS Query protocol.
///
/// Pairs are sorted by name (then value) as botocore serialises them, and both sides are
/// RFC 3986-encoded (see ``URIEncoding``), which is byte-for-byte what moto re-encodes with
/// Python's `urlencode` before it checks the payload hash.
public enum FormEncoder {
    public static func encode(_ pairs: [(name: String, value: String)]) -> String {
        let sorted = pairs.sorted { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
        // Each byte encodes to at most three (`%XX`), plus `=` and `&` per pair.
        let capacity = sorted.reduce(0) { $0 + 3 * ($1.name.utf8.count + $1.value.utf8.count) + 2 }
        return String(unsafeUninitializedCapacity: capacity) { output in
            var writer = ByteWriter(output)
            for (index, pair) in sorted.enumerated() {
                if index > 0 { writer.write(UInt8(ascii: "&")) }
                URIEncoding.write(pair.name, to: &writer)
                writer.write(UInt8(ascii: "="))
                URIEncoding.write(pair.value, to: &writer)
            }
            return writer.count
        }
    }
}
