import Glibc

/// Extended attributes (which carry POSIX ACLs as `system.posix_acl_*`) of an open file.
///
/// Glibc's Swift module does not export `<sys/xattr.h>`, so the C library's functions are looked up
/// once by name; they exist in every glibc.
enum ExtendedAttributes {
    private typealias ListFunction = @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int
    private typealias GetFunction = @convention(c) (Int32, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int
    private typealias SetFunction = @convention(c) (Int32, UnsafePointer<CChar>, UnsafeRawPointer?, Int, Int32) -> Int32

    private static func function<T>(_ name: String, as type: T.Type) -> T? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }

    /// Every attribute of `source` as name and value, in the kernel's order.
    static func all(of source: FileDescriptor) throws(DurableFSError) -> [(name: String, value: [UInt8])] {
        guard let list = function("flistxattr", as: ListFunction.self),
              let get = function("fgetxattr", as: GetFunction.self) else { return [] }
        let size = list(source.raw, nil, 0)
        if size < 0 {
            if errno == ENOTSUP { return [] }
            throw .fromErrno(errno, call: "flistxattr", path: source.path)
        }
        guard size > 0 else { return [] }
        var names = [CChar](repeating: 0, count: size)
        let listed = list(source.raw, &names, size)
        guard listed >= 0 else { throw .fromErrno(errno, call: "flistxattr", path: source.path) }
        var result: [(name: String, value: [UInt8])] = []
        for raw in names[0..<listed].split(separator: 0) {
            let name = String(decoding: raw.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let length = get(source.raw, name, nil, 0)
            guard length >= 0 else { throw .fromErrno(errno, call: "fgetxattr \(name)", path: source.path) }
            var value = [UInt8](repeating: 0, count: length)
            let read = value.withUnsafeMutableBytes { get(source.raw, name, $0.baseAddress, length) }
            guard read >= 0 else { throw .fromErrno(errno, call: "fgetxattr \(name)", path: source.path) }
            result.append((name, Array(value[0..<read])))
        }
        return result
    }

    /// Sets every attribute in `attributes` (read from `original`) on `target`; fails on the first
    /// that cannot be set, naming the original, since the replace would lose it.
    static func apply(_ attributes: [(name: String, value: [UInt8])], to target: FileDescriptor, original: String) throws(DurableFSError) {
        guard !attributes.isEmpty, let set = function("fsetxattr", as: SetFunction.self) else { return }
        for attribute in attributes {
            let status = attribute.value.withUnsafeBytes { set(target.raw, attribute.name, $0.baseAddress, $0.count, 0) }
            guard status == 0 else { throw failure(errno, attribute: attribute.name, original: original) }
        }
    }

    private static func failure(_ number: Int32, attribute: String, original: String) -> DurableFSError {
        let what = attribute.hasPrefix("system.posix_acl") ? "its POSIX ACL (\(attribute))" : "its extended attribute \(attribute)"
        let advice = number == EINVAL
            ? "the ACL names a user or group that keyrotd's user namespace does not map (PrivateUsers=yes in the unit): remove PrivateUsers= from the unit, as shipped, or grant keyrotd access through the group instead of the ACL"
            : "grant keyrotd's user the right to set it, or remove it from the file"
        return DurableFSError(code: .attributesNotKept, path: original,
                              message: "\(original): a replacement cannot keep \(what): \(String(cString: strerror(number))); \(advice). Nothing was written")
    }
}
