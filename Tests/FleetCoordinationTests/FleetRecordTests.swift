import FleetCoordination
import Foundation
import KeyrotCore
import Testing

@Suite("Fleet record and rotation ids")
struct FleetRecordTests {
    @Test("a rotation token is a valid ClientRequestToken (32 to 64 characters), names its rotation, and is never reused")
    func rotationToken() {
        let tokens = (0..<50).map { _ in SecretVersionID.newRotationToken(sequence: 12) }
        #expect(Set(tokens).count == tokens.count)
        for token in tokens {
            #expect((32...64).contains(token.rawValue.count))
            #expect(token.rawValue.hasPrefix("keyrotd-rotation-12-"))
        }
        #expect((32...64).contains(SecretVersionID.newRotationToken(sequence: Int(Int32.max)).rawValue.count))
    }

    @Test("the record maps a key to its version: the base's, the rotation's once its key is recorded, none for any other")
    func versionOfKey() {
        var record = FleetRotationRecord(base: SecretVersionID("v1"), baseKeyID: "AKIAFLEET00000000001")
        #expect(record.version(ofKey: "AKIAFLEET00000000001") == SecretVersionID("v1"))
        #expect(record.version(ofKey: "AKIAFLEET00000000002") == nil)
        record.rotation = SecretVersionID("v2")
        #expect(record.version(ofKey: "AKIAFLEET00000000002") == nil)
        record.newKeyID = "AKIAFLEET00000000002"
        #expect(record.version(ofKey: "AKIAFLEET00000000002") == SecretVersionID("v2"))
    }
}
