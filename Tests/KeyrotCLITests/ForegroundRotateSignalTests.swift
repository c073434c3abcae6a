import Foundation
import KeyrotTestSupport
import Testing

/// A foreground `keyrotd rotate` and the signals it may get: `keyrotd rotate-now` (SIGUSR1) must
/// not kill it, and SIGTERM must end it within its stop budget even while a step hangs.
@Suite("keyrotd rotate and signals", .enabled(if: Repository.shouldRunIntegration, Comment(rawValue: Repository.skipReason)), .serialized)
struct ForegroundRotateSignalTests {
    @Test("rotate-now leaves a foreground rotate running; SIGTERM abandons its hung step within the budget (75); the next rotate settles it")
    func signalsDuringAForegroundRotate() async throws {
        try await RotationSite.with { site in
            let trace = site.path("trace")
            let rotate = try BackgroundKeyrotd(["rotate", "--force"], site: site, name: "rotate", environment: [
                "KEYROTD_DEBUG_TRACE_POINTS": trace, "KEYROTD_DEBUG_HANG_AT": "before:rewriteFile",
            ])
            defer { rotate.stop() }
            try await rotate.waitUntil("the rotation to hang at its first file rewrite") {
                ((try? String(contentsOfFile: trace, encoding: .utf8)) ?? "").contains("before:rewriteFile#1")
            }

            let rotateNow = try await site.keyrotd("rotate-now")
            #expect(rotateNow.status == 0, "\(rotateNow)")
            #expect(rotateNow.stdout.contains("PID \(rotate.pid)"), "\(rotateNow)")
            try await rotate.waitUntil("the rotate to answer SIGUSR1") { rotate.output.contains("SIGUSR1") }
            #expect(rotate.process.isRunning, "SIGUSR1 killed the foreground rotate: \(rotate.output)")

            rotate.signal(SIGTERM)
            let status = try await rotate.exitStatus(within: 60)
            #expect(status == 75, "SIGTERM did not end the rotate within its stop budget: \(rotate.output)")
            #expect(rotate.output.contains("abandoned"), "\(rotate.output)")
            SecretLeaks.expectNone(in: ChildResult(command: "keyrotd rotate", status: status ?? -1, stdout: rotate.output, stderr: ""),
                                   secrets: [site.moto.secretAccessKey])

            let resumed = try await site.keyrotd("rotate")
            #expect(resumed.status == 0, "\(resumed)")
        }
    }
}
