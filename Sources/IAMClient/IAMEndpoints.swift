import Foundation
import KeyrotCore

extension AWSPartition {
    /// IAM is a global service: one endpoint per partition, always signed with the partition's home region.
    var iamEndpoint: (url: String, signingRegion: String) {
        switch self {
        case .aws: ("https://iam.amazonaws.com", "us-east-1")
        case .awsCN: ("https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1")
        case .awsUSGov: ("https://iam.us-gov.amazonaws.com", "us-gov-west-1")
        }
    }

    package var dnsSuffix: String {
        self == .awsCN ? "amazonaws.com.cn" : "amazonaws.com"
    }
}

/// The IAM and STS endpoints one client uses.
public struct IAMEndpoints: Sendable, Hashable {
    public let iam: ServiceEndpoint
    public let sts: ServiceEndpoint

    public init(iam: ServiceEndpoint, sts: ServiceEndpoint) {
        self.iam = iam
        self.sts = sts
    }

    /// The real AWS endpoints: IAM's global endpoint of `partition` (signed with its home region,
    /// whatever `region` is) and the regional STS endpoint `https://sts.{region}.{suffix}`.
    public static func aws(partition: AWSPartition = .aws, region: String) throws -> IAMEndpoints {
        let iam = partition.iamEndpoint
        return IAMEndpoints(
            iam: try ServiceEndpoint(url: try url(iam.url), signingRegion: iam.signingRegion, signingService: "iam"),
            sts: try ServiceEndpoint(url: try url("https://sts.\(region).\(partition.dnsSuffix)"), signingRegion: region, signingService: "sts"))
    }

    /// The real endpoints of `partition` and `region`, where `iamURL` / `stsURL`, when given, replace
    /// the URL only (an emulator, a VPC endpoint): the SigV4 scope stays the one of the endpoint replaced.
    public static func configured(partition: AWSPartition, region: String, iamURL: URL?, stsURL: URL?) throws -> IAMEndpoints {
        let real = try aws(partition: partition, region: region)
        return IAMEndpoints(
            iam: try iamURL.map { try ServiceEndpoint(url: $0, signingRegion: real.iam.signingRegion, signingService: "iam") } ?? real.iam,
            sts: try stsURL.map { try ServiceEndpoint(url: $0, signingRegion: real.sts.signingRegion, signingService: "sts") } ?? real.sts)
    }

    /// One emulator (e.g. moto_server) serving both IAM and STS at `url`; moto routes by the credential scope.
    public static func emulator(url: URL, region: String = "us-east-1") throws -> IAMEndpoints {
        IAMEndpoints(
            iam: try ServiceEndpoint(url: url, signingRegion: region, signingService: "iam"),
            sts: try ServiceEndpoint(url: url, signingRegion: region, signingService: "sts"))
    }

    private static func url(_ text: String) throws -> URL {
        guard let url = URL(string: text) else { throw EndpointError(code: .invalidURL, endpoint: text) }
        return url
    }
}
