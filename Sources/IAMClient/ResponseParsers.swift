import FoundationEssentials
import KeyrotCore

/// Turns success bodies into typed results, by element name. Each parser returns nil when a
/// required element is missing or an access key id is not one, which the client reports as an
/// invalid response. Names that can be shown (user, ARN, account, service, region) are cleaned by
/// ``NetworkText``; the secret is not (it is never shown, and must stay byte for byte what IAM sent).
enum ResponseParsers {
    static func accessKeys(_ root: ResponseElement) -> [AccessKeyMetadata]? {
        guard let list = root.first("AccessKeyMetadata") else { return nil }
        var keys: [AccessKeyMetadata] = []
        for member in list.children where member.name == "member" {
            guard let id = member.text(of: "AccessKeyId").flatMap({ try? AccessKeyID($0) }), let status = member.text(of: "Status").flatMap(AccessKeyStatus.init),
                  let createdAt = member.text(of: "CreateDate").flatMap(ISO8601Timestamp.parse)
            else { return nil }
            keys.append(AccessKeyMetadata(keyID: id, status: status, createdAt: createdAt))
        }
        return keys
    }

    static func createdKey(_ root: ResponseElement) -> CreatedAccessKey? {
        guard let key = root.first("AccessKey"), let id = key.text(of: "AccessKeyId").flatMap({ try? AccessKeyID($0) }),
              let secret = key.text(of: "SecretAccessKey"), !secret.isEmpty,
              let status = key.text(of: "Status").flatMap(AccessKeyStatus.init), let userName = key.text(of: "UserName")
        else { return nil }
        return CreatedAccessKey(
            credentials: Credentials(accessKeyID: id, secretAccessKey: Secret(secret)),
            createDate: key.text(of: "CreateDate").flatMap(ISO8601Timestamp.parse), status: status, userName: NetworkText.sanitized(userName))
    }

    static func lastUsed(_ root: ResponseElement) -> AccessKeyLastUse? {
        guard let used = root.first("AccessKeyLastUsed") else { return nil }
        let date = used.text(of: "LastUsedDate").flatMap { $0.isEmpty ? nil : ISO8601Timestamp.parse($0) }
        return AccessKeyLastUse(date: date, serviceName: NetworkText.sanitized(used.text(of: "ServiceName") ?? "N/A"),
                                region: NetworkText.sanitized(used.text(of: "Region") ?? "N/A"))
    }

    static func callerIdentity(_ root: ResponseElement) -> CallerIdentity? {
        guard let result = root.first("GetCallerIdentityResult"), let account = result.text(of: "Account"),
              let arn = result.text(of: "Arn"), let userID = result.text(of: "UserId")
        else { return nil }
        return CallerIdentity(account: NetworkText.sanitized(account), arn: NetworkText.sanitized(arn),
                              userID: NetworkText.sanitized(userID))
    }
}
