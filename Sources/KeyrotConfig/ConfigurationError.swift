/// A problem in keyrotd.yml: names the file, the line (and column) and says what to do.
///
/// Every configuration error ends the process with ``exitCode`` (78, `EX_CONFIG` from sysexits.h);
/// the command line maps it, this library never exits.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is; tests and callers compare on this, never on the message.
    public enum Code: String, Sendable, Hashable {
        /// The file cannot be read or is not UTF-8.
        case unreadableFile
        /// The text is not valid YAML (or holds a key twice, or several documents).
        case invalidYAML
        /// A key keyrotd does not know, at any level.
        case unknownKey
        /// A required key is absent.
        case missingKey
        /// A duration that is not an integer followed by s, m, h or d, or that must not be zero.
        case invalidDuration
        /// A value of the wrong YAML type (a list where a string belongs, and so on).
        case wrongType
        /// A path that must be absolute is not.
        case relativePath
        /// The same file appears twice under `files:`.
        case duplicateFile
        /// An option given to a file whose format does not use it (`profile` on a yaml file, say).
        case optionNotForFormat
        /// `files:` is empty.
        case emptyFileList
        /// A value of the right type that is not allowed (unknown format, bad URL, bad name).
        case invalidValue
    }

    /// `EX_CONFIG` from sysexits.h: the exit status of every configuration error.
    public static let exitCode: Int32 = 78

    public let code: Code
    /// The configuration file the problem is in.
    public let configPath: String
    /// 1-based line, when the problem has a place in the file.
    public let line: Int?
    /// 1-based column (in Unicode scalars), when useful.
    public let column: Int?
    /// What is wrong and what to do about it, in plain words.
    public let message: String

    public init(_ code: Code, configPath: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.code = code
        self.configPath = configPath
        self.line = line
        self.column = column
        self.message = message
    }

    /// Always ``ConfigurationError/exitCode``; here for callers that hold an instance.
    public var exitCode: Int32 { Self.exitCode }

    /// `PATH:LINE:COLUMN: message`, the form editors and people both read.
    public var description: String {
        var place = configPath
        if let line {
            place += ":\(line)"
            if let column { place += ":\(column)" }
        }
        return "\(place): \(message)"
    }
}
