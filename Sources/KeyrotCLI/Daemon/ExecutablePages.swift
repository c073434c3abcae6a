import Glibc

/// Gives back to the kernel the pages of keyrotd's own executable once the daemon is idle.
///
/// Start-up touches about 21 MB of the (static) binary: the Swift runtime's first protocol
/// conformance look-ups walk every conformance record and the type metadata they name, and code
/// that runs once stays mapped. Those clean, file-backed pages count in the idle RSS for the months
/// until the next rotation. `MADV_PAGEOUT` (Linux 5.4) reclaims them; what the next wake touches
/// comes back by page fault, from the page cache or the file (docs/performance.md: idle RSS 28.6 MB
/// before, 7.6 MB after). Only a hint: it changes no content, and an older kernel's EINVAL changes
/// nothing either.
enum ExecutablePages {
    /// `MADV_PAGEOUT` from linux/mman.h, which glibc's headers before 2.33 lack.
    private static let pageOutAdvice: Int32 = 21

    /// Advises every mapping of the running executable out; returns how many bytes were advised.
    @discardableResult
    static func pageOut() -> Int {
        guard let executable = realPath("/proc/self/exe"), let maps = readProcFile("/proc/self/maps") else { return 0 }
        var advised = 0
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, realPath(String(fields[5])) == executable else { continue }
            let bounds = fields[0].split(separator: "-").compactMap { UInt(String($0), radix: 16) }
            guard bounds.count == 2, bounds[1] > bounds[0],
                  let start = UnsafeMutableRawPointer(bitPattern: bounds[0]) else { continue }
            if madvise(start, Int(bounds[1] - bounds[0]), pageOutAdvice) == 0 {
                advised += Int(bounds[1] - bounds[0])
            }
        }
        return advised
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// A /proc file read to its end (its size says 0, so it is read in chunks).
    private static func readProcFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
