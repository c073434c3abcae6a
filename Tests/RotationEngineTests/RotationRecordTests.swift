import Foundation
import KeyrotCore
import RotationEngine
import Testing

@Suite("The persisted record")
struct RotationRecordTests {
    func sampleRecord() -> RotationRecord {
        var record = RotationRecord(user: "snowplow-operator")
        record.phase = .writing
        record.oldKeyID = AccessKeyID("AKIAOLDOLDOLDOLDOLD1")
        record.oldSecret = PersistedSecret(Secret("old-secret-value"))
        record.newKeyID = AccessKeyID("AKIANEWNEWNEWNEWNEW2")
        record.newSecret = PersistedSecret(Secret("new-secret-value"))
        record.intentAt = Date(timeIntervalSince1970: 1_790_000_000)
        record.createdAt = Date(timeIntervalSince1970: 1_790_000_001)
        record.files = [FileProgress(path: "/etc/a.yml", backup: FileBackupReference(location: "/var/lib/keyrotd/backups/1", digest: "abc"), written: true)]
        return record
    }

    @Test("round-trips through JSON, with a version field and the secrets written explicitly")
    func roundTrip() throws {
        let record = sampleRecord()
        let data = try record.encoded()
        let text = try #require(String(data: data, encoding: .utf8))
        #expect(text.contains("\"version\" : 1"))
        #expect(text.contains("\"phase\" : \"writing\""))
        #expect(text.contains("new-secret-value"))
        #expect(try RotationRecord.decoded(from: data) == record)
    }

    @Test("describing the record never shows a secret")
    func descriptionRedacts() {
        let record = sampleRecord()
        let described = "\(record) \(String(reflecting: record))"
        #expect(!described.contains("new-secret-value"))
        #expect(!described.contains("old-secret-value"))
    }

    @Test("a record of an unknown version is refused with a clear error")
    func unknownVersion() throws {
        var record = sampleRecord()
        record.version = 99
        let data = try record.encoded()
        #expect {
            try RotationRecord.decoded(from: data)
        } throws: { error in
            (error as? RotationError)?.code == .unsupportedRecord
        }
    }
}
