import FoundationEssentials

/// IAM `GetAccessKeyLastUsed`: `date` is nil, and service and region are `N/A`, for a key never used.
public struct AccessKeyLastUse: Sendable, Hashable {
    public let date: Date?
    public let serviceName: String
    public let region: String

    public init(date: Date?, serviceName: String, region: String) {
        self.date = date
        self.serviceName = serviceName
        self.region = region
    }
}
