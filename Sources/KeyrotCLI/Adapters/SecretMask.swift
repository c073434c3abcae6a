import KeyrotCore

/// Masks the given secrets wherever they appear in text that keyrotd did not write itself, such as
/// a verify command's output: exact matches only, longest first (so that a secret containing
/// another is masked whole).
enum SecretMask {
    static let placeholder = "<redacted>"

    static func masked(_ text: String, secrets: [Secret]) -> String {
        let values = secrets.map { $0.revealed() }.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
        return values.reduce(text) { text, value in text.replacing(value, with: placeholder) }
    }
}
