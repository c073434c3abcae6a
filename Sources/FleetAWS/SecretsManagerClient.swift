import Foundation
import IAMClient
import KeyrotCore

/// The Secrets Manager calls of fleet mode, over the JSON 1.1 protocol.
public struct SecretsManagerClient: Sendable {
    public let json: AWSJSONClient

    public init(json: AWSJSONClient) {
        precondition(json.service.targetPrefix == "secretsmanager", "a Secrets Manager client needs the secretsmanager service")
        self.json = json
    }

    /// Creates secret `name` holding `pair` as its first (`AWSCURRENT`) version, with VersionId `token`.
    public func createSecret(name: String, pair: Credentials, token: RotationToken, description: String? = nil,
                             credentials: Credentials) async throws -> CreatedSecret {
        var payload: [String: JSONValue] = [
            "Name": .string(name), "SecretString": .string(SecretPair.encode(pair)), "ClientRequestToken": .string(token.rawValue),
        ]
        if let description { payload["Description"] = .string(description) }
        let answer = try await json.perform("CreateSecret", .object(payload), credentials: credentials)
        guard let arn = answer["ARN"]?.string, let created = answer["Name"]?.string else {
            throw invalid("CreateSecret", "ARN and Name")
        }
        return CreatedSecret(arn: arn, name: created, versionID: answer["VersionId"]?.string)
    }

    /// The secret's ARN, name and the stages of every version (`VersionIdsToStages`).
    public func describeSecret(_ secretID: String, credentials: Credentials) async throws -> SecretDescription {
        let answer = try await json.perform("DescribeSecret", .object(["SecretId": .string(secretID)]), credentials: credentials)
        guard let arn = answer["ARN"]?.string, let name = answer["Name"]?.string else { throw invalid("DescribeSecret", "ARN and Name") }
        var stages: [String: [String]] = [:]
        for (version, labels) in answer["VersionIdsToStages"]?.object ?? [:] {
            guard let labels = labels.array?.compactMap(\.string) else { throw invalid("DescribeSecret", "VersionIdsToStages lists") }
            stages[version] = labels
        }
        return SecretDescription(arn: arn, name: name, versionStages: stages)
    }

    /// The key pair of the version `selector` names (a stage or a VersionId; never the default).
    /// - Throws: ``AWSServiceError``, or ``SecretValueError`` when the value is not a key pair.
    public func getSecretValue(_ secretID: String, _ selector: SecretVersionSelector, credentials: Credentials) async throws -> SecretVersion {
        var payload: [String: JSONValue] = ["SecretId": .string(secretID)]
        switch selector {
        case .stage(let stage): payload["VersionStage"] = .string(stage)
        case .versionID(let id): payload["VersionId"] = .string(id)
        }
        let answer = try await json.perform("GetSecretValue", .object(payload), credentials: credentials)
        guard let versionID = answer["VersionId"]?.string else { throw invalid("GetSecretValue", "VersionId") }
        guard let secretString = answer["SecretString"]?.string else {
            throw SecretValueError(secretID: secretID, versionID: versionID, cause: SecretPairError(code: .notJSONObject))
        }
        do {
            let credentials = try SecretPair.decode(secretString)
            return SecretVersion(versionID: versionID, stages: answer["VersionStages"]?.array?.compactMap(\.string) ?? [], credentials: credentials)
        } catch {
            throw SecretValueError(secretID: secretID, versionID: versionID, cause: error)
        }
    }

    /// Puts `pair` as a new version with VersionId `token`, staged `AWSPENDING` only. Repeating it
    /// with the same token and pair is a no-op, so it is retried like any idempotent call.
    @discardableResult
    public func putPendingValue(_ secretID: String, pair: Credentials, token: RotationToken, credentials: Credentials) async throws -> String {
        let payload: JSONValue = .object([
            "SecretId": .string(secretID), "SecretString": .string(SecretPair.encode(pair)),
            "ClientRequestToken": .string(token.rawValue), "VersionStages": .array([.string(SecretStage.pending)]),
        ])
        let answer = try await json.perform("PutSecretValue", payload, credentials: credentials)
        guard let versionID = answer["VersionId"]?.string else { throw invalid("PutSecretValue", "VersionId") }
        return versionID
    }

    /// Moves `AWSCURRENT` to `versionID` from `previousVersionID` (which then holds `AWSPREVIOUS`).
    /// A compare-and-swap: AWS refuses the move (`.invalidRequest`) when `previousVersionID` does not
    /// hold `AWSCURRENT`, so a late call from a deposed leader cannot move it. Idempotent: when the
    /// refusal is because `versionID` already holds `AWSCURRENT` (a redo after a takeover), it succeeds.
    public func moveCurrent(_ secretID: String, to versionID: String, from previousVersionID: String, credentials: Credentials) async throws {
        try await settlingRefusal(secretID, credentials: credentials, done: { $0.versionStages[versionID]?.contains(SecretStage.current) == true }) {
            _ = try await json.perform("UpdateSecretVersionStage", .object([
                "SecretId": .string(secretID), "VersionStage": .string(SecretStage.current),
                "MoveToVersionId": .string(versionID), "RemoveFromVersionId": .string(previousVersionID),
            ]), credentials: credentials)
        }
    }

    /// Removes `stage` (e.g. `AWSPENDING`) from `versionID`. Idempotent: AWS refuses to remove a
    /// stage the version does not hold, and that refusal counts as done.
    public func removeStage(_ stage: String, from versionID: String, _ secretID: String, credentials: Credentials) async throws {
        try await settlingRefusal(secretID, credentials: credentials, done: { $0.versionStages[versionID]?.contains(stage) != true }) {
            _ = try await json.perform("UpdateSecretVersionStage", .object([
                "SecretId": .string(secretID), "VersionStage": .string(stage), "RemoveFromVersionId": .string(versionID),
            ]), credentials: credentials)
        }
    }

    /// Runs a stage change; when AWS refuses it as invalid, reads the stages and succeeds if `done`
    /// says the change is already in place, else rethrows the refusal.
    private func settlingRefusal(_ secretID: String, credentials: Credentials, done: (SecretDescription) -> Bool,
                                 _ change: () async throws -> Void) async throws {
        do {
            try await change()
        } catch let error as AWSServiceError where error.code == .invalidRequest {
            guard done(try await describeSecret(secretID, credentials: credentials)) else { throw error }
        }
    }

    private func invalid(_ operation: String, _ missing: String) -> AWSServiceError {
        let endpoint = json.service.endpoint
        return AWSServiceError(.invalidResponse, detail: "the answer lacks \(missing)")
            .during(operation, service: endpoint.signingService, endpoint: endpoint.url.absoluteString)
    }
}

/// A secret version whose value is not the key pair keyrotd stores.
public struct SecretValueError: Error, Sendable, CustomStringConvertible {
    public let secretID: String
    public let versionID: String
    public let cause: SecretPairError

    public var description: String {
        "secret '\(secretID)' version \(NetworkText.sanitized(versionID)): \(cause); put the current pair there with `keyrotd fleet init` or fix the value by hand"
    }
}
