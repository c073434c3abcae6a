import Foundation
import Testing
@testable import SystemdIntegration

@Suite struct LoggingBootstrapTests {
    let stderrIdentity = FileIdentity(device: 64769, inode: 12345)

    @Test func journalWhenJournalStreamNamesStderr() {
        let destination = LoggingBootstrap.destination(environment: ["JOURNAL_STREAM": "64769:12345"], standardError: stderrIdentity)
        #expect(destination == .journal)
    }

    @Test(arguments: [nil, "64769:99999", "1:12345", "garbage", "64769:12345:1", ""])
    func stderrOtherwise(stream: String?) {
        let environment = stream.map { ["JOURNAL_STREAM": $0] } ?? [:]
        #expect(LoggingBootstrap.destination(environment: environment, standardError: stderrIdentity) == .standardError)
    }

    @Test func stderrWhenStderrCannotBeExamined() {
        #expect(LoggingBootstrap.destination(environment: ["JOURNAL_STREAM": "64769:12345"], standardError: nil) == .standardError)
    }

    @Test func fileIdentityReadsDeviceAndInodeOfADescriptor() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("keyrotd-identity-\(UUID())").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let descriptor = open(path, O_RDONLY)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        let identity = try #require(FileIdentity(fileDescriptor: descriptor))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect(identity.inode == (attributes[.systemFileNumber] as? NSNumber)?.uint64Value)
        let stream = "\(identity.device):\(identity.inode)"
        #expect(LoggingBootstrap.destination(environment: ["JOURNAL_STREAM": stream], standardError: identity) == .journal)
        #expect(FileIdentity(fileDescriptor: -1) == nil)
    }
}
