import Foundation
import KeyrotCore
import KeyrotTestSupport
import RotationEngine
import Testing

@Suite("Readiness for `keyrotd check`")
struct RotationReadinessTests {
    let policy = RotationPolicy.forTests(files: ["/etc/a.yml", "/etc/b.json"])
    let key = Credentials(accessKeyID: AccessKeyID("AKIAOLDOLDOLDOLDOLD1"), secretAccessKey: Secret("s1"))
    let created = Date(timeIntervalSince1970: 1_700_000_000)

    func files(_ pairs: [Credentials]) -> [CredentialFileContents] {
        zip(policy.files, pairs).map { CredentialFileContents(path: $0, pairs: [$1], version: FileVersion("v1")) }
    }

    @Test("agreeing files and one Active key: ready, with the next due date")
    func ready() {
        let keys = [AccessKeyMetadata(keyID: key.accessKeyID, status: .active, createdAt: created)]
        let readiness = policy.readiness(files: files([key, key]), keys: keys)
        #expect(readiness.problems.isEmpty)
        #expect(readiness.currentKey?.keyID == key.accessKeyID)
        #expect(readiness.nextDue == created.addingTimeInterval(policy.maxAge))
    }

    @Test("every problem is listed: a file on another key, and a second Active key")
    func problems() {
        let other = Credentials(accessKeyID: AccessKeyID("AKIAOTHEROTHEROTHER2"), secretAccessKey: Secret("s2"))
        let keys = [
            AccessKeyMetadata(keyID: key.accessKeyID, status: .active, createdAt: created),
            AccessKeyMetadata(keyID: other.accessKeyID, status: .active, createdAt: created),
        ]
        #expect(policy.readiness(files: files([key, other]), keys: keys).problems.map(\.code) == [.filesDisagree])
        #expect(policy.readiness(files: files([key, key]), keys: keys).problems.map(\.code) == [.unknownActiveKey])
        let inactive = [AccessKeyMetadata(keyID: key.accessKeyID, status: .inactive, createdAt: created)]
        #expect(policy.readiness(files: files([key, key]), keys: inactive).problems.map(\.code) == [.keyNotUsable])
    }
}
