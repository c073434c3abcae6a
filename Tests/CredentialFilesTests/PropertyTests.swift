import CredentialFiles
import KeyrotCore
import PropertyBased
import Testing

/// Generated keys in generated files of every format: reading finds exactly the pair, rewriting
/// changes exactly the two values, and rewriting back gives the original bytes.
@Suite("Property-based round trips")
struct PropertyTests {
    enum Quoting: CaseIterable, Sendable { case plain, single, double }

    static let idGen = Gen<Character?>.element(of: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")).map { $0! }
        .string(of: 16).map { "AKIA" + $0 }
    static let secretGen = Gen<Character?>.element(of: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+"))
        .map { $0! }.string(of: 40)
    static let quotingGen = Gen<Quoting?>.element(of: Quoting.allCases).map { $0! }
    /// Layout switches: comments, blank lines, CRLF, final newline, and one per format.
    static let layoutGen = Gen.bool.array(of: 5)

    /// Checks the round trip of `text` (holding `old`) through `new`.
    static func roundTrip(_ text: String, _ format: CredentialFileSpec.Format, profile: String = "default",
                          old: Credentials, new: Credentials) throws {
        let original = try snapshot(text, format, profile: profile)
        #expect(original.pairs.map(\.accessKeyID) == [old.accessKeyID])
        #expect(original.pairs.map(\.secretAccessKey) == [old.secretAccessKey])
        let rotated = try CredentialFiles.rewrite(original, replacing: old.accessKeyID, with: new)
        let expected = text.replacing(old.accessKeyID.rawValue, with: new.accessKeyID.rawValue)
            .replacing(old.secretAccessKey.revealed(), with: new.secretAccessKey.revealed())
        #expect(rotated.bytes == Array(expected.utf8))
        let back = try CredentialFiles.rewrite(rotated, replacing: new.accessKeyID, with: old)
        #expect(back.bytes == original.bytes)
    }

    static func join(_ lines: [String], crlf: Bool, finalNewline: Bool) -> String {
        let newline = crlf ? "\r\n" : "\n"
        return lines.joined(separator: newline) + (finalNewline ? newline : "")
    }

    @Test func yaml() async {
        await propertyCheck(input: Self.idGen, Self.secretGen, Self.idGen, Self.secretGen, Self.quotingGen, Self.layoutGen) { oldID, oldSecret, newID, newSecret, quoting, layout in
            let colon = layout[4] ? ":" : ""
            func quoted(_ value: String) -> String {
                switch quoting {
                case .plain: return value
                case .single: return "'\(value)'"
                case .double: return "\"\(value)\""
                }
            }
            var lines = ["# EmrEtlRunner config", "\(colon)aws:"]
            if layout[0] { lines.append("  # Credentials can be hardcoded: key: value # not this") }
            lines.append("  \(colon)access_key_id: \(quoted(oldID))")
            if layout[1] { lines += ["", "   "] }
            lines.append("  \(colon)secret_access_key: \(quoted(oldSecret))\(layout[0] ? "   # trailing: comment" : "")")
            lines += ["  \(colon)s3:", "    \(colon)region: ADD HERE ", "\(colon)name: \"Snowplow – données\""]
            let text = Self.join(lines, crlf: layout[2], finalNewline: layout[3])
            try Self.roundTrip(text, .yaml, old: credentials(try AccessKeyID(oldID), oldSecret), new: credentials(try AccessKeyID(newID), newSecret))
        }
    }

    @Test func json() async {
        await propertyCheck(input: Self.idGen, Self.secretGen, Self.idGen, Self.secretGen, Self.layoutGen) { oldID, oldSecret, newID, newSecret, layout in
            let (idKey, secretKey) = layout[4] ? ("accessKeyId", "secretAccessKey") : ("access_key_id", "secret_access_key")
            let indent = layout[0] ? "    " : "  "
            var lines = ["{", "\(indent)\"schema\": \"iglu:com.snowplowanalytics/x/jsonschema/1-0-0\",", "\(indent)\"data\": {"]
            if layout[1] { lines.append("") }
            lines += [
                "\(indent)\(indent)\"credentials\": {",
                "\(indent)\(indent)\(indent)\"\(idKey)\": \"\(oldID)\",",
                "\(indent)\(indent)\(indent)\"\(secretKey)\" :\"\(oldSecret)\"",
                "\(indent)\(indent)},", "\(indent)\(indent)\"name\": \"caf\\u00e9 ☕\"", "\(indent)}", "}",
            ]
            let text = Self.join(lines, crlf: layout[2], finalNewline: layout[3])
            try Self.roundTrip(text, .json, old: credentials(try AccessKeyID(oldID), oldSecret), new: credentials(try AccessKeyID(newID), newSecret))
        }
    }

    @Test func awsCredentials() async {
        await propertyCheck(input: Self.idGen, Self.secretGen, Self.idGen, Self.secretGen, Self.quotingGen, Self.layoutGen) { oldID, oldSecret, newID, newSecret, spacing, layout in
            let equals = spacing == .plain ? "=" : spacing == .single ? " = " : "  =\t"
            let profile = layout[4] ? "ops" : "default"
            let header = layout[4] ? "[profile ops]" : "[default]"
            var lines = ["[other]", "aws_access_key_id = AKIAOTHER00000000000", "aws_secret_access_key = other/secret", ""]
            if layout[0] { lines += ["# the rotated key", "; managed by keyrotd"] }
            lines += [header, "region = eu-west-1", "aws_access_key_id\(equals)\(oldID)"]
            if layout[1] { lines.append("") }
            lines += ["aws_secret_access_key\(equals)\(oldSecret)  ", "output = json"]
            let text = Self.join(lines, crlf: layout[2], finalNewline: layout[3])
            try Self.roundTrip(text, .awsCredentials, profile: profile, old: credentials(try AccessKeyID(oldID), oldSecret), new: credentials(try AccessKeyID(newID), newSecret))
        }
    }

    @Test func env() async {
        await propertyCheck(input: Self.idGen, Self.secretGen, Self.idGen, Self.secretGen, Self.quotingGen, Self.layoutGen) { oldID, oldSecret, newID, newSecret, quoting, layout in
            func quoted(_ value: String) -> String {
                switch quoting {
                case .plain: return value
                case .single: return "'\(value)'"
                case .double: return "\"\(value)\""
                }
            }
            let export = layout[4] ? "export " : ""
            var lines = ["# cron environment", "\(export)AWS_REGION=eu-west-1"]
            if layout[0] { lines.append("   # the key") }
            lines.append("\(export)AWS_ACCESS_KEY_ID=\(quoted(oldID))")
            if layout[1] { lines.append("") }
            lines.append("\(export)AWS_SECRET_ACCESS_KEY=\(quoted(oldSecret))\(layout[0] ? " # rotated" : "")")
            let text = Self.join(lines, crlf: layout[2], finalNewline: layout[3])
            try Self.roundTrip(text, .env, old: credentials(try AccessKeyID(oldID), oldSecret), new: credentials(try AccessKeyID(newID), newSecret))
        }
    }
}
