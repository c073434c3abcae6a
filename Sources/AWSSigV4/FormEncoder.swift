/// Builds `application/x-www-form-urlencoded` bodies for the AWS Query protocol.
///
/// Pairs are sorted by name (then value) as botocore serialises them, and both sides are
/// RFC 3986-encoded (see ``URIEncoding``), which is byte-for-byte what moto re-encodes with
/// Python's `urlencode` before it checks the payload hash.
public enum FormEncoder {
    public static func encode(_ pairs: [(name: String, value: String)]) -> String {
        pairs
            .sorted { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
            .map { URIEncoding.encode($0.name) + "=" + URIEncoding.encode($0.value) }
            .joined(separator: "&")
    }
}
