import FoundationEssentials
import KeyrotCore

/// The typed IAM and STS calls keyrotd makes.
extension IAMClient {
    /// Every access key of `userName` (nil: the user owning `credentials`), following pagination.
    public func listAccessKeys(userName: String?, credentials: Credentials) async throws -> [AccessKeyMetadata] {
        var keys: [AccessKeyMetadata] = []
        var marker: String?
        repeat {
            var parameters = Self.optional("UserName", userName)
            parameters += Self.optional("Marker", marker)
            let root = try await perform("ListAccessKeys", service: .iam, parameters: parameters, credentials: credentials)
            guard let page = ResponseParsers.accessKeys(root) else { throw invalid("ListAccessKeys", .iam, root) }
            keys += page
            let result = root.first("ListAccessKeysResult")
            marker = result?.text(of: "IsTruncated") == "true" ? result?.text(of: "Marker") : nil
        } while marker != nil
        return keys
    }

    /// Creates a key. Never retried after the request may have reached IAM: on an ambiguous failure
    /// it throws ``IAMError`` with code `.ambiguous`, and the caller must list keys.
    public func createAccessKey(userName: String?, credentials: Credentials) async throws -> CreatedAccessKey {
        let root = try await perform("CreateAccessKey", service: .iam, parameters: Self.optional("UserName", userName),
                                     credentials: credentials, idempotent: false)
        guard let created = ResponseParsers.createdKey(root) else { throw invalid("CreateAccessKey", .iam, root) }
        return created
    }

    public func updateAccessKey(_ id: AccessKeyID, status: AccessKeyStatus, userName: String?, credentials: Credentials) async throws {
        _ = try await perform("UpdateAccessKey", service: .iam,
                              parameters: [("AccessKeyId", id.rawValue), ("Status", status.rawValue)] + Self.optional("UserName", userName),
                              credentials: credentials)
    }

    public func deleteAccessKey(_ id: AccessKeyID, userName: String?, credentials: Credentials) async throws {
        _ = try await perform("DeleteAccessKey", service: .iam,
                              parameters: [("AccessKeyId", id.rawValue)] + Self.optional("UserName", userName),
                              credentials: credentials)
    }

    public func getAccessKeyLastUsed(_ id: AccessKeyID, credentials: Credentials) async throws -> AccessKeyLastUse {
        let root = try await perform("GetAccessKeyLastUsed", service: .iam, parameters: [("AccessKeyId", id.rawValue)],
                                     credentials: credentials)
        guard let lastUsed = ResponseParsers.lastUsed(root) else { throw invalid("GetAccessKeyLastUsed", .iam, root) }
        return lastUsed
    }

    /// STS `GetCallerIdentity`: needs no permission, so it proves only that the key works.
    public func getCallerIdentity(credentials: Credentials) async throws -> CallerIdentity {
        let root = try await perform("GetCallerIdentity", service: .sts, credentials: credentials)
        guard let identity = ResponseParsers.callerIdentity(root) else { throw invalid("GetCallerIdentity", .sts, root) }
        return identity
    }

    private static func optional(_ name: String, _ value: String?) -> [(name: String, value: String)] {
        value.map { [(name, $0)] } ?? []
    }

    private func invalid(_ action: String, _ service: Service, _ root: ResponseElement) -> IAMError {
        let endpoint = service == .iam ? endpoints.iam : endpoints.sts
        return IAMError(.invalidResponse, detail: "the <\(NetworkText.sanitized(root.name))> answer lacks required elements")
            .during(action, service: endpoint.signingService, endpoint: endpoint.url.absoluteString)
    }
}
