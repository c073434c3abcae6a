/// The canonical forms of path, query and headers defined by SigV4.
enum Canonicalization {
    /// URI-encodes the path once more ("double encoding", as every service except S3 expects) and,
    /// with `normalize`, removes empty, `.` and `..` segments first.
    static func path(_ rawPath: String, normalize: Bool) -> String {
        let path = rawPath.isEmpty ? "/" : rawPath
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

    /// Lowercased names, values trimmed with inner whitespace runs collapsed, duplicates joined with
    /// `,` in order of appearance, sorted by name. Returns the header block and the signed-headers list.
    static func headers(_ fields: [HTTPHeaderField]) -> (block: String, signedHeaders: String) {
        var merged: [(name: String, value: String)] = []
        merged.reserveCapacity(fields.count)
        for field in fields {
            let name = field.name.lowercased()
            let value = collapseWhitespace(field.value)
            if let index = merged.firstIndex(where: { $0.name == name }) {
                merged[index].value += "," + value
            } else {
                merged.append((name, value))
            }
        }
        merged.sort { $0.name < $1.name }
        var block = ""
        for (name, value) in merged {
            block += name + ":" + value + "\n"
        }
        return (block, merged.map(\.name).joined(separator: ";"))
    }

    private static func collapseWhitespace(_ value: String) -> String {
        let utf8 = value.utf8
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var needsWork = false
        var previousWasSpace = true
        for byte in utf8 {
            let space = isSpace(byte)
            if space && previousWasSpace { needsWork = true; break }
            previousWasSpace = space
        }
        if !needsWork && !(utf8.last.map(isSpace) ?? false) { return value }
        var output: [UInt8] = []
        output.reserveCapacity(utf8.count)
        var pendingSpace = false
        for byte in utf8 {
            if isSpace(byte) {
                pendingSpace = !output.isEmpty
            } else {
                if pendingSpace { output.append(UInt8(ascii: " ")) }
                pendingSpace = false
                output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
