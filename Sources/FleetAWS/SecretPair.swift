import KeyrotCore

/// The fleet secret's value: `{"AccessKeyId": ..., "SecretAccessKey": ...}`, read into
/// ``Credentials`` (whose id is validated, whose secret never prints).
enum SecretPair {
    static func encode(_ credentials: Credentials) -> String {
        let document = JSONValue.object([
            "AccessKeyId": .string(credentials.accessKeyID.rawValue),
            "SecretAccessKey": .string(credentials.secretAccessKey.revealed()),
        ])
        return String(decoding: document.serialized(), as: UTF8.self)
    }

    /// The pair in `secretString`, or the reason it is not one (which never quotes the value).
    static func decode(_ secretString: String) throws(SecretPairError) -> Credentials {
        guard let document = JSONValue.parse(Array(secretString.utf8)), document.object != nil else {
            throw SecretPairError(code: .notJSONObject)
        }
        guard let id = document["AccessKeyId"]?.string else { throw SecretPairError(code: .missingAccessKeyID) }
        guard let secret = document["SecretAccessKey"]?.string, !secret.isEmpty else { throw SecretPairError(code: .missingSecretAccessKey) }
        do {
            return Credentials(accessKeyID: try AccessKeyID(id), secretAccessKey: Secret(secret))
        } catch {
            throw SecretPairError(code: .invalidAccessKeyID, cause: error)
        }
    }
}

/// A secret value that is not the key pair keyrotd stores. Names what is wrong, never the value.
public struct SecretPairError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case notJSONObject
        case missingAccessKeyID
        case missingSecretAccessKey
        case invalidAccessKeyID
    }

    public let code: Code
    /// For ``Code/invalidAccessKeyID``: the validation error, which describes the value without echoing it.
    public let cause: (any Error)?

    init(code: Code, cause: (any Error)? = nil) {
        self.code = code
        self.cause = cause
    }

    public var description: String {
        let expected = #"a JSON object {"AccessKeyId": "AKIA...", "SecretAccessKey": "..."}"#
        switch code {
        case .notJSONObject: return "the secret's value is not \(expected)"
        case .missingAccessKeyID: return "the secret's value has no string AccessKeyId; expected \(expected)"
        case .missingSecretAccessKey: return "the secret's value has no non-empty string SecretAccessKey; expected \(expected)"
        case .invalidAccessKeyID: return "the secret's AccessKeyId is not an access key id (\(cause.map { "\($0)" } ?? "")); expected \(expected)"
        }
    }
}
