import CredentialFiles
import Foundation
import KeyrotCore

/// A fresh temporary directory, removed by the caller with `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "keyrotd-cf-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let filePath = "\(path)/\(name)"
        try Data(bytes).write(to: URL(fileURLWithPath: filePath))
        return filePath
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

enum Fixtures {
    static let directory: String = {
        Bundle.module.bundleURL.appendingPathComponent("Resources/snowplow").path
    }()

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)")))
    }

    /// The sample with `key` written where it says ADD HERE for the key: the first placeholder is
    /// the access key id, the second its secret, in every rotatable sample.
    static func keyed(_ name: String, with key: Credentials) throws -> [UInt8] {
        var text = String(decoding: try bytes(name), as: UTF8.self)
        for value in [key.accessKeyID.rawValue, key.secretAccessKey.revealed()] {
            guard let placeholder = text.range(of: "ADD HERE") else { throw CocoaError(.fileReadCorruptFile) }
            text.replaceSubrange(placeholder, with: value)
        }
        return Array(text.utf8)
    }

    static func spec(_ name: String, _ format: CredentialFileSpec.Format) -> CredentialFileSpec {
        CredentialFileSpec(path: "\(directory)/\(name)", format: format)
    }
}

func credentials(_ id: AccessKeyID, _ secret: String) -> Credentials {
    Credentials(accessKeyID: id, secretAccessKey: Secret(secret))
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}

/// Parses `text` as the content of a file at a made-up path.
func snapshot(_ text: String, _ format: CredentialFileSpec.Format, profile: String = "default") throws -> CredentialFileSnapshot {
    try CredentialFiles.parse(text.bytes, spec: CredentialFileSpec(path: "/etc/test/file", format: format, profile: profile))
}

/// The error `body` throws, if it is a CredentialFileError.
func credentialError(_ body: () throws -> Void) -> CredentialFileError? {
    do {
        try body()
        return nil
    } catch let error as CredentialFileError {
        return error
    } catch {
        return nil
    }
}
