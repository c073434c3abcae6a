import DurableFS

/// Why a credential file cannot be read, rewritten or written. The message names the file and line
/// and says what to do; it never contains a secret value.
public struct CredentialFileError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// The file does not parse (broken JSON, tab-indented YAML, invalid UTF-8...).
        case unparsable
        /// A value is an ERB tag (`<%= ENV['X'] %>`): the key comes from the environment.
        case erbTemplate
        /// A value is a `${...}` or `$VAR` substitution.
        case substitution
        /// A value is a `{{...}}` template placeholder.
        case placeholder
        /// A value is Snowplow's `iam`, `env` or `default`: no static key in this file.
        case specialValue
        /// A value is an alias or carries an anchor (or a tag).
        case aliasOrAnchor
        /// A value is spread over several lines (block scalar, folded plain scalar, continuation).
        case multiline
        /// A YAML stream with more than one document.
        case multiDocument
        /// An access key id without its secret, or the other way round.
        case incompletePair
        /// A value that is not a single string (a mapping, a number, empty...).
        case unsupportedValue
        /// Where the access key id goes, the file holds something else (often the secret: the two
        /// values swapped). The message describes the value and never shows it.
        case notAnAccessKeyID
        /// The same variable or key is assigned more than once where one pair is expected.
        case ambiguous
        /// No pair in the file holds the access key id being rotated.
        case keyNotFound
        /// After an edit the file did not read back as expected; nothing was written.
        case verificationFailed
        /// Reading or writing the file failed; ``CredentialFileError/underlying`` has the cause.
        case fileSystem
    }

    public let code: Code
    public let path: String
    /// 1-based line of the offending value, when there is one.
    public let line: Int?
    public let message: String
    /// The file system error behind a ``Code/fileSystem`` error.
    public let underlying: DurableFSError?

    public init(code: Code, path: String, line: Int? = nil, message: String, underlying: DurableFSError? = nil) {
        self.code = code
        self.path = path
        self.line = line
        self.message = message
        self.underlying = underlying
    }

    init(_ error: DurableFSError) {
        self.init(code: .fileSystem, path: error.path,
                  message: error.message, underlying: error)
    }

    public var description: String {
        if let line { return "\(path):\(line): \(message)" }
        return "\(path): \(message)"
    }
}
