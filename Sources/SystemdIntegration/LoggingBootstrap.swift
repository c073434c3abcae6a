import FoundationEssentials
import Glibc
import Logging

/// Where keyrotd's log entries go.
public enum LogDestination: Sendable, Hashable {
    /// Structured entries through `sd_journal_sendv` (stderr is connected to journald).
    case journal
    /// Readable lines on stderr.
    case standardError
}

/// Picks the log handler and installs it as swift-log's global factory.
public enum LoggingBootstrap {
    /// The journal when stderr *is* the journal: `$JOURNAL_STREAM` ("dev:ino", systemd.exec(5))
    /// names the same device and inode as file descriptor 2. A variable inherited from a parent
    /// whose stderr was the journal, while ours is a terminal, does not count.
    /// - Parameters:
    ///   - environment: the process environment (passed in for tests).
    ///   - standardError: device and inode of fd 2, nil when it cannot be `fstat`ed.
    public static func destination(
        environment: [String: String], standardError: FileIdentity?
    ) -> LogDestination {
        guard let stream = environment["JOURNAL_STREAM"], let standardError else { return .standardError }
        let parts = stream.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else {
            return .standardError
        }
        return FileIdentity(device: device, inode: inode) == standardError ? .journal : .standardError
    }

    /// Chooses the destination for this process and bootstraps swift-log with it.
    /// Call once, first thing in `main`.
    @discardableResult
    public static func bootstrap(
        level: Logger.Level = .info,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> LogDestination {
        let chosen = destination(environment: environment, standardError: FileIdentity(fileDescriptor: 2))
        LoggingSystem.bootstrap { label in
            switch chosen {
            case .journal:
                var handler = JournalLogHandler(label: label)
                handler.logLevel = level
                return handler
            case .standardError:
                var handler = StderrLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
        return chosen
    }
}

/// A file's device and inode numbers, what `$JOURNAL_STREAM` is compared with.
public struct FileIdentity: Sendable, Hashable {
    public let device: UInt64
    public let inode: UInt64

    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    /// The identity of an open file descriptor, or nil when `fstat` fails (e.g. fd closed).
    public init?(fileDescriptor: Int32) {
        var info = stat()
        guard fstat(fileDescriptor, &info) == 0 else { return nil }
        self.init(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
}
