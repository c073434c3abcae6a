import Testing
@testable import SystemdIntegration

@Suite struct JournalFieldNameTests {
    @Test(arguments: [
        ("key_id", "KEYROTD_KEY_ID"),
        ("new_key_id", "KEYROTD_NEW_KEY_ID"),
        ("phase", "KEYROTD_PHASE"),
        ("file", "KEYROTD_FILE"),
        ("user", "KEYROTD_USER"),
        ("key_age_days", "KEYROTD_KEY_AGE_DAYS"),
        ("message_id", "MESSAGE_ID"),
        ("errno", "ERRNO"),
        ("new-key.id", "KEYROTD_NEW_KEY_ID"),
        ("_hidden", "KEYROTD_HIDDEN"),
        ("9lives", "KEYROTD_9LIVES"),
        ("KEYROTD_PHASE", "KEYROTD_PHASE"),
        ("message", "KEYROTD_MESSAGE"),
        ("priority", "KEYROTD_PRIORITY"),
        ("größe", "KEYROTD_GR__E"),
    ])
    func metadataKeysBecomeJournalFieldNames(key: String, field: String) {
        #expect(JournalFieldName.forMetadataKey(key) == field)
    }

    @Test func everyMappedNameIsValidForJournald() {
        let awkward = ["", "_", "__x", "a b", "x=y", "\n", "ÄÖÜ", "🙂", String(repeating: "k", count: 200), "0", "Message_Id"]
        for key in awkward {
            let name = JournalFieldName.forMetadataKey(key)
            #expect(JournalFieldName.isValid(name), "\(key.debugDescription) → \(name)")
        }
    }

    @Test func validityFollowsJournaldsRules() {
        #expect(JournalFieldName.isValid("KEYROTD_KEY_ID"))
        #expect(!JournalFieldName.isValid("_PID"))
        #expect(!JournalFieldName.isValid("key_id"))
        #expect(!JournalFieldName.isValid("1ABC"))
        #expect(!JournalFieldName.isValid(""))
        #expect(!JournalFieldName.isValid(String(repeating: "A", count: 65)))
    }
}
