#if canImport(Glibc)
import Glibc
#endif

/// Sets process environment variables for one test. libsystemd reads them with getenv, so the
/// tests that use this live in one `.serialized` suite (``NotifySocketTests``).
enum ProcessEnvironment {
    /// Runs `body` with the variables set (nil unsets), then restores what was there.
    @discardableResult
    static func with<T>(_ variables: [String: String?], _ body: () async throws -> T) async rethrows -> T {
        var saved: [String: String?] = [:]
        for (name, value) in variables {
            saved[name] = getenv(name).map { String(cString: $0) }
            set(name, value)
        }
        defer { for (name, value) in saved { set(name, value) } }
        return try await body()
    }

    private static func set(_ name: String, _ value: String?) {
        if let value { setenv(name, value, 1) } else { unsetenv(name) }
    }
}
