import Glibc

/// What makes two configured paths the same file: the device and inode of an existing file (so a
/// symbolic link, a hard link or a `..` detour to a listed file is seen), else the canonical path
/// of its folder joined with its name, else the path with `//` and `/./` removed.
struct FileIdentity: Hashable {
    private enum Key: Hashable {
        case inode(device: UInt64, inode: UInt64)
        case path(String)
    }

    private let key: Key
    /// How the sameness was found, for the duplicate message.
    let reason: String

    init(_ path: String) {
        var info = stat()
        if stat(path, &info) == 0 {
            key = .inode(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
            reason = "same device and inode"
            return
        }
        let normalized = FileListReader.lexicallyNormalized(path)
        let slash = normalized.lastIndex(of: "/") ?? normalized.startIndex
        let folder = String(normalized[..<slash])
        if let canonical = realpath(folder.isEmpty ? "/" : folder, nil) {
            defer { free(canonical) }
            let resolved = String(cString: canonical)
            key = .path((resolved == "/" ? "" : resolved) + normalized[slash...])
            reason = "same canonical path"
        } else {
            key = .path(normalized)
            reason = "same path"
        }
    }
}
