import KeyrotConfig
import Testing

@Suite("The polkit rule for restart_units")
struct PolkitRuleTests {
    @Test("allows exactly the action, the user, the units and the restart verbs")
    func shape() {
        let rule = PolkitRule(units: ["snowplow-collector.service", "snowplow-loader@good.service"]).javaScript
        #expect(rule.contains("""
                if (action.id == "org.freedesktop.systemd1.manage-units" &&
                    subject.user == "keyrotd" &&
                    ["snowplow-collector.service", "snowplow-loader@good.service"].indexOf(action.lookup("unit")) >= 0 &&
                    ["restart", "try-restart"].indexOf(action.lookup("verb")) >= 0) {
                    return polkit.Result.YES;
            """))
        #expect(rule.hasPrefix("// keyrotd:"))
        #expect(!rule.contains("Result.AUTH"))
    }

    @Test("anything outside letters, digits and -_.:@ is escaped: no input ends the string",
          arguments: ["a\"b", "a\\b", "a'b", "a\nb", "a\u{2028}b", "a</script>", "x\");polkit.Result.YES;//", "é", "🔑"])
    func escaping(text: String) {
        let literal = PolkitRule.quoted(text)
        let inner = literal.dropFirst().dropLast()
        #expect(literal.first == "\"" && literal.last == "\"")
        #expect(inner.unicodeScalars.allSatisfy { $0.isASCII && !"\"'\n\r;()/<>".unicodeScalars.contains($0) }, "\(literal)")
        #expect(literal.contains("\\u"))
    }

    @Test("systemd's escapes in unit names survive as escapes")
    func backslash() {
        #expect(PolkitRule.quoted("sp\\x2denrich.service") == "\"sp\\u005cx2denrich.service\"")
        #expect(PolkitRule.quoted("a-b_c.d:e@f.service") == "\"a-b_c.d:e@f.service\"")
    }
}
