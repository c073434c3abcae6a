import DurableFS
import Foundation
import Glibc

struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "keyrotd-dfs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String, _ text: String, mode: mode_t = 0o644) throws -> String {
        let filePath = "\(path)/\(name)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: filePath))
        chmod(filePath, mode)
        return filePath
    }

    func entries() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

func contents(_ path: String) -> String {
    (try? String(contentsOfFile: path, encoding: .utf8)) ?? "<unreadable>"
}

func status(_ path: String) -> stat {
    var info = stat()
    _ = stat(path, &info)
    return info
}

/// The DurableFSError `body` throws, if any.
func durableError(_ body: () throws -> Void) -> DurableFSError? {
    do {
        try body()
        return nil
    } catch let error as DurableFSError {
        return error
    } catch {
        return nil
    }
}

/// C functions Glibc's Swift module does not export, looked up by name.
enum LibC {
    typealias SetXattr = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeRawPointer?, Int, Int32) -> Int32
    typealias GetXattr = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int
    typealias SetFSUID = @convention(c) (UInt32) -> Int32

    static func symbol<T>(_ name: String, _ type: T.Type) -> T {
        unsafeBitCast(dlsym(UnsafeMutableRawPointer(bitPattern: 0), name)!, to: type)
    }

    static func setxattr(_ path: String, _ name: String, _ value: [UInt8]) -> Int32 {
        value.withUnsafeBytes { symbol("setxattr", SetXattr.self)(path, name, $0.baseAddress, $0.count, 0) }
    }

    static func getxattr(_ path: String, _ name: String) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { symbol("getxattr", GetXattr.self)(path, name, $0.baseAddress, $0.count) }
        return count < 0 ? nil : Array(buffer[0..<count])
    }

    /// Runs `body` on this thread with file-system uid `uid` (and gid `gid` when given): access
    /// checks are then those of that user, without root's capabilities such as CAP_CHOWN
    /// (setfsuid and setfsgid are per thread).
    static func asFileSystemUser<T>(_ uid: UInt32, group gid: UInt32? = nil, _ body: () throws -> T) rethrows -> T {
        let setfsuid = symbol("setfsuid", SetFSUID.self)
        let setfsgid = symbol("setfsgid", SetFSUID.self)
        if let gid { _ = setfsgid(gid) }
        _ = setfsuid(uid)
        defer {
            _ = setfsuid(0)
            if gid != nil { _ = setfsgid(0) }
        }
        return try body()
    }
}
