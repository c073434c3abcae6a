internal import CProcessControl
import Foundation

/// Hides one directory from this process and everything it executes, with Landlock: the
/// `verify_command` runs as keyrotd's own user, and without this it could read the state
/// directory, which holds both secrets while a rotation runs.
///
/// Landlock only allows (a ruleset denies every handled access, then rules allow some beneath
/// chosen directories), so hiding one directory means allowing everything beside it: every entry
/// of `/` but the first component of its path, every entry of that component but the next one,
/// and so on down to the directory itself. What is created later directly in one of those
/// ancestors (`/`, `/var`, `/var/lib` for the default state directory) is out of reach too, a
/// price a verify command does not pay in practice. Symbolic links among the entries get no rule
/// of their own (a rule on one would allow its target, possibly the hidden directory); what they
/// point to is allowed or not where it really is.
enum DirectoryHiding {
    struct Failure: Error, CustomStringConvertible {
        let step: String
        let errno: Int32
        var description: String { "\(step): \(String(cString: strerror(errno)))" }
    }

    /// The Landlock ABI version the kernel offers, nil when it has none (older than 5.13, or
    /// Landlock not among the active security modules).
    static var abiVersion: Int? {
        let version = keyrotd_landlock_abi()
        return version > 0 ? Int(version) : nil
    }

    /// Restricts this process for good. Meant for a process about to exec the command
    /// (`keyrotd confine-exec`), never for keyrotd itself.
    static func hide(_ directory: String) throws(Failure) {
        guard let abi = abiVersion else { throw Failure(step: "Landlock is not available", errno: errno) }
        let handled = AccessRights.fileSystem(abi: abi)
        let ruleset = keyrotd_landlock_create_ruleset(handled)
        guard ruleset >= 0 else { throw Failure(step: "landlock_create_ruleset", errno: errno) }
        defer { close(ruleset) }
        guard let real = realpath(directory, nil) else { throw Failure(step: "resolving \(directory)", errno: errno) }
        let target = String(cString: real)
        free(real)

        var ancestor = "/"
        for component in target.split(separator: "/").map(String.init) {
            try allowEntries(of: ancestor, except: component, ruleset: ruleset, rights: handled)
            ancestor = ancestor == "/" ? "/\(component)" : "\(ancestor)/\(component)"
        }
        guard keyrotd_landlock_restrict_self(ruleset) == 0 else { throw Failure(step: "landlock_restrict_self", errno: errno) }
    }

    /// Allows every access beneath each entry of `directory` but `excluded`.
    private static func allowEntries(of directory: String, except excluded: String, ruleset: Int32, rights: UInt64) throws(Failure) {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw Failure(step: "listing \(directory)", errno: (error as NSError).code == NSFileReadNoPermissionError ? EACCES : EIO)
        }
        for entry in entries where entry != excluded {
            let path = directory == "/" ? "/\(entry)" : "\(directory)/\(entry)"
            let fd = keyrotd_open_path_nofollow(path)
            guard fd >= 0 else { continue }  // gone since the listing: nothing to allow
            defer { close(fd) }
            var info = stat()
            guard fstat(fd, &info) == 0, info.st_mode & S_IFMT != S_IFLNK else { continue }
            let allowed = info.st_mode & S_IFMT == S_IFDIR ? rights : rights & AccessRights.onFiles
            guard keyrotd_landlock_allow_beneath(ruleset, fd, allowed) == 0 else {
                throw Failure(step: "allowing \(path)", errno: errno)
            }
        }
    }

    /// Landlock's file-system access rights (the kernel's linux/landlock.h: Debian 12's copy
    /// stops at ABI 2, so the later bits are spelled here), by the ABI version that added them.
    enum AccessRights {
        /// ABI 1: execute, write, read, read directory, remove and make each kind of file (bits 0-12).
        static let abi1: UInt64 = (1 << 13) - 1
        static let refer: UInt64 = 1 << 13
        static let truncate: UInt64 = 1 << 14
        static let ioctlDevice: UInt64 = 1 << 15
        /// The rights a rule on a file (not a directory) may carry: execute, write, read, truncate, ioctl.
        static let onFiles: UInt64 = 0b111 | truncate | ioctlDevice

        /// Every file-system access right the kernel's ABI knows, all of them handled: a right
        /// left unhandled would be allowed everywhere, the hidden directory included.
        static func fileSystem(abi: Int) -> UInt64 {
            var rights = abi1
            if abi >= 2 { rights |= refer }
            if abi >= 3 { rights |= truncate }
            if abi >= 5 { rights |= ioctlDevice }
            return rights
        }
    }
}
