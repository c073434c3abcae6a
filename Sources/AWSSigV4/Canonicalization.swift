/// The canonical forms of path, query and headers defined by SigV4.
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

    /// Appends the canonical header block (lowercased names, values trimmed with inner whitespace runs
    /// collapsed, duplicates joined with `,` in order of appearance, sorted by name, one `name:value\n`
    /// per header) and returns the signed-headers list (`host;x-amz-date`).
    static func appendHeaders(_ fields: [HTTPHeaderField], to output: inout [UInt8]) -> String {
        var merged: [(name: [UInt8], value: [UInt8])] = []
        merged.reserveCapacity(fields.count)
        for field in fields {
            let name = field.name.utf8.map(ASCII.lower)
            let value = collapseWhitespace(field.value)
            if let index = merged.firstIndex(where: { $0.name == name }) {
                merged[index].value.append(UInt8(ascii: ","))
                merged[index].value += value
            } else {
                merged.append((name, value))
            }
        }
        merged.sort { $0.name.lexicographicallyPrecedes($1.name) }
        var signedHeaders: [UInt8] = []
        signedHeaders.reserveCapacity(64)
        for (index, header) in merged.enumerated() {
            output += header.name
            output.append(UInt8(ascii: ":"))
            output += header.value
            output.append(ASCII.newline)
            if index > 0 { signedHeaders.append(UInt8(ascii: ";")) }
            signedHeaders += header.name
        }
        return String(decoding: signedHeaders, as: UTF8.self)
    }

    /// The value trimmed, with every run of spaces and tabs replaced by one space.
    private static func collapseWhitespace(_ value: String) -> [UInt8] {
        if isCollapsed(value.utf8) { return Array(value.utf8) }
        var output: [UInt8] = []
        output.reserveCapacity(value.utf8.count)
        var pendingSpace = false
        for byte in value.utf8 {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                pendingSpace = !output.isEmpty
            } else {
                if pendingSpace { output.append(UInt8(ascii: " ")) }
                pendingSpace = false
                output.append(byte)
            }
        }
        return output
    }

    /// No leading, trailing or doubled whitespace and no tabs: nothing to collapse.
    private static func isCollapsed(_ utf8: String.UTF8View) -> Bool {
        var previousWasSpace = true
        for byte in utf8 {
            if byte == UInt8(ascii: "\t") { return false }
            let space = byte == UInt8(ascii: " ")
            if space && previousWasSpace { return false }
            previousWasSpace = space
        }
        return !previousWasSpace || utf8.isEmpty
    }
}
