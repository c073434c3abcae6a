import KeyrotCore

/// What a child process printed, kept up to `limit` bytes for the log. Whatever follows is still
/// read (so that the child never blocks on a full pipe) but only counted: a command that prints
/// megabytes cannot grow keyrotd's memory or flood the journal.
struct CapturedOutput: Sendable {
    let limit: Int
    private(set) var kept: [UInt8] = []
    /// Bytes read past `limit` and not kept.
    private(set) var dropped = 0

    init(limit: Int) {
        self.limit = limit
    }

    mutating func append(_ bytes: some Collection<UInt8>) {
        let room = max(0, limit - kept.count)
        kept.append(contentsOf: bytes.prefix(room))
        dropped += max(0, bytes.count - room)
    }

    /// The kept output as text with every one of `secrets` masked by exact match. When the output
    /// was cut, the cut may split a secret, whose head no exact match would catch: a tail that is
    /// the beginning of a secret is dropped too.
    func maskedText(secrets: [Secret]) -> String {
        let text = SecretMask.masked(String(decoding: kept, as: UTF8.self), secrets: secrets)
        guard dropped > 0 else { return text }
        let splitHead = secrets.map { Self.longestHead(of: $0.revealed(), endingAt: text) }.max() ?? 0
        return String(text.dropLast(splitHead))
    }

    /// The length of the longest proper prefix of `secret` that `text` ends with.
    private static func longestHead(of secret: String, endingAt text: String) -> Int {
        let candidates = stride(from: secret.count - 1, through: 1, by: -1)
        return candidates.first { text.hasSuffix(secret.prefix($0)) } ?? 0
    }
}
