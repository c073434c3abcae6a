import Foundation
import KeyrotCore
import RotationEngine
import Testing

@Suite("The machine alone: results in, actions out")
struct RotationMachineStepTests {
    let policy = RotationPolicy(user: "snowplow-operator", files: ["/etc/a.yml", "/etc/b.json"])
    let old = Credentials(accessKeyID: AccessKeyID("AKIAOLDOLDOLDOLDOLD1"), secretAccessKey: Secret("old-secret"))
    let new = Credentials(accessKeyID: AccessKeyID("AKIANEWNEWNEWNEWNEW2"), secretAccessKey: Secret("new-secret"))
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    func snapshots(_ pair: Credentials) -> ActionResult {
        .files(policy.files.map { CredentialFileSnapshot(path: $0, pairs: [pair], version: FileVersion("v1")) })
    }

    @Test("intent is saved before CreateAccessKey, the secret is saved before anything else, and a stop waits for it")
    func intentThenCreateThenSave() throws {
        var machine = RotationMachine(policy: policy, record: nil, request: .rotate(force: true))
        #expect(machine.start(at: now).action == .readFiles(policy.files))
        #expect(machine.handle(snapshots(old), at: now).action == .listKeys(signedWith: old))
        let listed = machine.handle(.keys([AccessKeyMetadata(keyID: old.accessKeyID, status: .active, createdAt: now.addingTimeInterval(-86_400))]), at: now)
        guard case .save(let intent) = listed.action else {
            Issue.record("expected the intent to be saved, got \(listed.action)")
            return
        }
        #expect(intent.phase == .creating)
        #expect(intent.intentAt == now)
        #expect(listed.events.contains { if case .rotationStarted = $0 { return true } else { return false } })
        #expect(machine.handle(.done, at: now).action == .createKey(signedWith: old))
        #expect(machine.isInCriticalSection)

        let created = machine.handle(.created(new), at: now)
        guard case .save(let saved) = created.action else {
            Issue.record("expected the new key to be saved, got \(created.action)")
            return
        }
        #expect(saved.phase == .created)
        #expect(saved.newCredentialsForTesting == new)
        #expect(machine.isInCriticalSection)
        #expect(machine.handle(.done, at: now).action == .checkIdentity(signedWith: new))
        #expect(!machine.isInCriticalSection)
    }

    @Test("a failed CreateAccessKey is resolved by listing keys, never by a second create")
    func failedCreateLists() {
        var record = RotationRecord(user: policy.user)
        record.phase = .creating
        record.oldKeyID = old.accessKeyID
        record.oldSecret = PersistedSecret(old.secretAccessKey)
        record.intentAt = now
        var machine = RotationMachine(policy: policy, record: record, request: .resume)
        let first = machine.start(at: now)
        #expect(first.events == [.resumed(phase: .creating)])
        #expect(machine.handle(snapshots(old), at: now).action == .listKeys(signedWith: old))
        let orphan = AccessKeyMetadata(keyID: new.accessKeyID, status: .active, createdAt: now.addingTimeInterval(1))
        let listed = machine.handle(.keys([AccessKeyMetadata(keyID: old.accessKeyID, status: .active, createdAt: now.addingTimeInterval(-9_999)), orphan]), at: now)
        #expect(listed.action == .deleteKey(new.accessKeyID, signedWith: old))
    }
}

extension RotationRecord {
    var newCredentialsForTesting: Credentials? {
        guard let newKeyID, let newSecret else { return nil }
        return Credentials(accessKeyID: newKeyID, secretAccessKey: newSecret.secret)
    }
}
