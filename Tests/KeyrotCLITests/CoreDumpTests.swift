import Foundation
import KeyrotTestSupport
import Testing

/// keyrotd holds secrets in memory: a crash or a signal must never leave them in a core file.
@Suite("no core dump", .enabled(if: Repository.shouldRunIntegration, Comment(rawValue: Repository.skipReason)), .serialized)
struct CoreDumpTests {
    @Test("keyrotd run, after reading the files, dumps no core on SIGABRT where a dumpable process does")
    func daemonLeavesNoCore() async throws {
        try await RotationSite.with { site in
            let directory = site.directory.appending(path: "cwd")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // The control: on this machine a dumpable process leaves a core file in its working directory.
            _ = try await ChildProcess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "ulimit -c unlimited && kill -ABRT $$"], in: directory)
            let pattern = (try? String(contentsOfFile: "/proc/sys/kernel/core_pattern", encoding: .utf8)) ?? "?"
            try #require(!Self.cores(in: directory).isEmpty,
                         "a dumpable shell left no core file here (core_pattern \(pattern)); this machine cannot show whether keyrotd would")
            for core in Self.cores(in: directory) { try FileManager.default.removeItem(at: core) }

            let daemon = try BackgroundKeyrotd(["run"], site: site, in: directory, unlimitedCores: true)
            defer { daemon.stop() }
            try await daemon.waitUntil("the first run to end (last-run.json)") {
                FileManager.default.fileExists(atPath: site.path("state/last-run.json"))
            }
            daemon.signal(SIGABRT)
            let status = try await daemon.exitStatus(within: 30)
            #expect(status == 128 + SIGABRT, "keyrotd did not die of SIGABRT: \(daemon.output)")
            #expect(Self.cores(in: directory).isEmpty, "keyrotd left a core file holding its memory, secrets included")
        }
    }

    private static func cores(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix("core") }.map { directory.appending(path: $0) }
    }
}
