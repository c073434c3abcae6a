/// Builds `application/x-www-form-urlencoded` bodies for the AWS Query protocol.
///
/// Pairs are sorted by name (then value) as botocore serialises them, and both sides are
/// RFC 3986-encoded (see ``URIEncoding``), which is byte-for-byte what moto re-encodes with
/// Python's `urlencode` before it checks the payload hash.
public enum FormEncoder {
    public static func encode(_ pairs: [(name: String, value: String)]) -> String {
        var body: [UInt8] = []
        body.reserveCapacity(pairs.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 2 } * 2)
        for (index, pair) in pairs.sorted(by: { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }).enumerated() {
            if index > 0 { body.append(UInt8(ascii: "&")) }
            URIEncoding.append(pair.name, to: &body)
            body.append(UInt8(ascii: "="))
            URIEncoding.append(pair.value, to: &body)
        }
        return String(decoding: body, as: UTF8.self)
    }
}
