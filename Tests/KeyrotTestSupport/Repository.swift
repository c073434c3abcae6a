import Foundation

/// Paths in the repository the tests run from, and the prerequisites of the integration tests.
public enum Repository {
    /// The repository root, two levels above this file's folder (Tests/KeyrotTestSupport/).
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public struct MissingPrerequisite: Error, CustomStringConvertible {
        public let description: String
    }

    /// The `keyrotd` binary the tests run: `.build/debug/keyrotd`, built by `swift build --build-tests`.
    public static func keyrotd() throws -> URL {
        let binary = root.appending(path: ".build/debug/keyrotd")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw MissingPrerequisite(description: "\(binary.path) is missing: build it first with `swift build --build-tests` (the tests run the real binary)")
        }
        return binary
    }

    /// The moto_server launcher the tests bootstrap IAM with.
    public static let motoEmulator = root.appending(path: "Tests/Harness/moto-emulator")

    /// Whether the integration tests should run: always in CI (where a missing prerequisite is a
    /// failure, reported by ``requireMoto()``), elsewhere only when moto_server and python3 are there.
    public static var shouldRunIntegration: Bool {
        ProcessInfo.processInfo.environment["CI"] == "true" || missingMotoPrerequisite == nil
    }

    /// Why the integration tests are skipped outside CI (for `.enabled(if:_:)`).
    public static let skipReason = "needs python3 and moto_server (pip install 'moto[server]' boto3); with CI=true their absence fails instead"

    /// Throws, naming what to install, when python3, boto3 or moto_server is missing.
    public static func requireMoto() throws {
        if let missing = missingMotoPrerequisite { throw MissingPrerequisite(description: missing) }
    }

    private static let missingMotoPrerequisite: String? = {
        for program in ["python3", "moto_server"] where findInPath(program) == nil {
            return "\(program) is not on PATH: install moto with `pip install 'moto[server]' boto3` (the keyrotd integration tests need it)"
        }
        return nil
    }()

    private static func findInPath(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
