import Foundation
@testable import KeyrotCLI
import KeyrotCore
import KeyrotTestSupport
import RotationEngine
import Testing

/// `verify_command` runs as keyrotd's own user; Landlock keeps it out of the state directory,
/// which holds both secrets while a rotation runs. The real binary's `confine-exec` does it.
@Suite("The verify command cannot read the state directory",
       .enabled(if: DirectoryHiding.abiVersion != nil || ProcessInfo.processInfo.environment["CI"] == "true",
                "needs a kernel with Landlock (5.13 or later, with Landlock among its security modules); with CI=true its absence fails instead"))
struct VerifyConfinementTests {
    static let secretShaped = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKE"

    /// A state directory holding a secret-shaped state file, and a readable sibling.
    func withSite(_ body: (_ state: String, _ sibling: String) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appending(path: "keyrotd-confine-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: "\(root)/state", withIntermediateDirectories: true)
        try Data(#"{"newSecret": "\#(Self.secretShaped)"}"#.utf8).write(to: URL(fileURLWithPath: "\(root)/state/state.json"))
        try Data("pipeline ok\n".utf8).write(to: URL(fileURLWithPath: "\(root)/sibling"))
        try await body("\(root)/state", "\(root)/sibling")
    }

    func runner(_ command: [String], hiding state: String, log: LogRecorder) throws -> VerifyCommandRunner {
        VerifyCommandRunner(command: command, timeout: .seconds(30), logger: log.logger(), secrets: { [] }, clock: SystemClock(),
                            confinement: VerifyConfinement(keyrotd: try Repository.keyrotd().path, hiddenDirectory: state))
    }

    @Test("the Landlock ABI is there (a CI machine without it fails here rather than skipping)")
    func landlockIsAvailable() {
        #expect(DirectoryHiding.abiVersion != nil)
    }

    @Test("reading the state file or listing the state directory is denied; the rest of the file system is not")
    func stateDirectoryIsHidden() async throws {
        try await withSite { state, sibling in
            let log = LogRecorder()
            let error = await #expect(throws: RotationError.self) {
                try await runner(["/bin/cat", "\(state)/state.json"], hiding: state, log: log).verify()
            }
            #expect(error?.code == .verifyFailed)
            #expect(log.messages.contains { $0.contains("Permission denied") }, "\(log.messages)")
            #expect(!log.messages.joined().contains(Self.secretShaped))

            let listing = LogRecorder()
            await #expect(throws: RotationError.self) {
                try await runner(["/bin/ls", state], hiding: state, log: listing).verify()
            }

            let reader = LogRecorder()
            try await runner(["/bin/sh", "-c", "cat \(sibling) && test -r /etc/passwd"], hiding: state, log: reader).verify()
            #expect(reader.messages == ["verify_command: pipeline ok"])
        }
    }

    @Test("a path to the state directory through a symbolic link or /proc is denied as well")
    func otherPathsAreDenied() async throws {
        try await withSite { state, sibling in
            let link = sibling + "-link"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: state)
            for path in ["\(link)/state.json", "/proc/self/root\(state)/state.json"] {
                let log = LogRecorder()
                await #expect(throws: RotationError.self, "\(path)") {
                    try await runner(["/bin/cat", path], hiding: state, log: log).verify()
                }
                #expect(!log.messages.joined().contains(Self.secretShaped))
            }
        }
    }
}
