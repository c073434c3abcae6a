/// The canonical forms of path and query defined by SigV4 (headers: ``CanonicalHeaders``).
enum Canonicalization {
    /// URI-encodes the path once more ("double encoding", as every service except S3 expects) and,
    /// with `normalize`, removes empty, `.` and `..` segments first.
    static func path(_ rawPath: String, normalize: Bool) -> String {
        if rawPath.isEmpty || rawPath == "/" { return "/" }
        let path = rawPath
        guard normalize else { return URIEncoding.encode(path, keepSlash: true) }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        var normalized = "/" + segments.joined(separator: "/")
        if !segments.isEmpty, path.hasSuffix("/") {
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
}
