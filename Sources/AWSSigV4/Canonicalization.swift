/// The canonical forms of path, query and headers defined by SigV4.
enum Canonicalization {
    /// URI-encodes the path once more ("double encoding", as every service except S3 expects) and,
    /// with `normalize`, removes empty, `.` and `..` segments first.
    static func path(_ rawPath: String, normalize: Bool) -> String {
        if rawPath.isEmpty || rawPath == "/" { return "/" }
        guard normalize else { return URIEncoding.encode(rawPath, keepSlash: true) }
        var segments: [Substring] = []
        for segment in rawPath.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        var normalized = "/" + segments.joined(separator: "/")
        if !segments.isEmpty, rawPath.hasSuffix("/") {
            normalized += "/"
        }
        return URIEncoding.encode(normalized, keepSlash: true)
    }

    /// Decodes then re-encodes each `name=value` pair and sorts by name, then value.
    static func query(_ rawQuery: String) -> String {
        guard !rawQuery.isEmpty else { return "" }
        let pairs: [(String, String)] = rawQuery.split(separator: "&", omittingEmptySubsequences: true).map { piece in
            guard let equals = piece.firstIndex(of: "=") else {
                return (URIEncoding.encode(URIEncoding.decode(piece)), "")
            }
            return (URIEncoding.encode(URIEncoding.decode(piece[..<equals])),
                    URIEncoding.encode(URIEncoding.decode(piece[piece.index(after: equals)...])))
        }
        return pairs
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// The header block (one `name:value\n` line per distinct name) and the signed-headers list
    /// (`content-type;host;x-amz-date`). Names are lowercased, values trimmed with inner runs of
    /// spaces and tabs collapsed to one space; lines are sorted by the names' bytes, and a repeated
    /// name's values are joined with `,` in the order they were given.
    static func headers(_ fields: [HTTPHeaderField]) -> (block: String, signedHeaders: String) {
        var names: [String] = []
        var values: [[UInt8]: [String]] = [:]  // keyed by bytes: names compare byte for byte, not as Unicode text
        for field in fields {
            let name = lowercased(field.name)
            let value = field.value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            if values[Array(name.utf8)] == nil { names.append(name) }
            values[Array(name.utf8), default: []].append(value)
        }
        names.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let block = names.map { "\($0):\(values[Array($0.utf8)]!.joined(separator: ","))\n" }.joined()
        return (block, names.joined(separator: ";"))
    }

    /// `name` with ASCII letters lowercased (header names are ASCII; anything else stays as given).
    static func lowercased(_ name: String) -> String {
        String(decoding: name.utf8.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
