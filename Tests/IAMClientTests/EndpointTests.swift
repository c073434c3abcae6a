import Foundation
import IAMClient
import KeyrotCore
import KeyrotTestSupport
import Testing

@Suite struct EndpointTests {
    @Test(arguments: [
        (AWSPartition.aws, "eu-west-1", "https://iam.amazonaws.com", "us-east-1", "https://sts.eu-west-1.amazonaws.com"),
        (.awsCN, "cn-northwest-1", "https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1", "https://sts.cn-northwest-1.amazonaws.com.cn"),
        (.awsUSGov, "us-gov-east-1", "https://iam.us-gov.amazonaws.com", "us-gov-west-1", "https://sts.us-gov-east-1.amazonaws.com"),
    ])
    func partitions(partition: AWSPartition, region: String, iamURL: String, iamRegion: String, stsURL: String) throws {
        let endpoints = try IAMEndpoints.aws(partition: partition, region: region)
        #expect(endpoints.iam.url.absoluteString == iamURL)
        #expect(endpoints.iam.signingRegion == iamRegion)
        #expect(endpoints.iam.signingService == "iam")
        #expect(endpoints.sts.url.absoluteString == stsURL)
        #expect(endpoints.sts.signingRegion == region)
        #expect(endpoints.sts.signingService == "sts")
    }

    @Test func iamIsSignedWithUSEast1WhateverTheConfiguredRegion() async throws {
        let log = RequestLog()
        let client = IAMClient(endpoints: try IAMEndpoints.aws(region: "ap-southeast-2"), transport: ClosureTransport { request, _ in
            log.append(request)
            return HTTPResponseData(status: 200, body: Array("<ListAccessKeysResponse><ListAccessKeysResult><AccessKeyMetadata/></ListAccessKeysResult></ListAccessKeysResponse>".utf8))
        })
        _ = try await client.listAccessKeys(userName: "u", credentials: Fixtures.credentials)
        let request = try #require(log.all.first)
        #expect(request.url.absoluteString == "https://iam.amazonaws.com")
        #expect(request.header("Host") == "iam.amazonaws.com")
        #expect(request.header("Authorization")?.contains("/us-east-1/iam/aws4_request,") == true)
    }

    @Test(arguments: ["http://127.0.0.1:5000", "http://127.9.8.7", "http://localhost:4566", "http://[::1]:5000", "https://iam.example.com"])
    func acceptedEndpoints(url: String) throws {
        let endpoint = try ServiceEndpoint(url: URL(string: url)!, signingRegion: "us-east-1", signingService: "iam")
        #expect(endpoint.url.absoluteString == url)
    }

    @Test(arguments: ["http://iam.amazonaws.com", "http://10.0.0.1:5000", "http://128.0.0.1", "http://localhost.evil.com", "ftp://127.0.0.1"])
    func rejectedEndpoints(url: String) throws {
        #expect(throws: EndpointError.self) {
            try ServiceEndpoint(url: URL(string: url)!, signingRegion: "us-east-1", signingService: "iam")
        }
    }

    @Test func hostHeaderCarriesOnlyNonDefaultPorts() throws {
        #expect(try ServiceEndpoint(url: URL(string: "http://127.0.0.1:5000")!, signingRegion: "r", signingService: "iam").hostHeader == "127.0.0.1:5000")
        #expect(try ServiceEndpoint(url: URL(string: "https://iam.amazonaws.com:443")!, signingRegion: "r", signingService: "iam").hostHeader == "iam.amazonaws.com")
    }

    @Test func proxyFromEnvironment() {
        let settings = ProxySettings(environment: ["HTTPS_PROXY": "http://user:pw@proxy.corp:3128/", "NO_PROXY": "internal.corp, .amazonaws.com.cn"])
        #expect(settings.proxy(forHost: "iam.amazonaws.com")?.host == "proxy.corp")
        #expect(settings.proxy(forHost: "iam.amazonaws.com")?.port == 3128)
        #expect(settings.proxy(forHost: "iam.cn-north-1.amazonaws.com.cn") == nil)
        #expect(settings.proxy(forHost: "internal.corp") == nil)
        #expect(settings.proxy(forHost: "127.0.0.1") == nil)
        #expect(ProxySettings(environment: ["https_proxy": "proxy:8080", "no_proxy": "*"]).proxy(forHost: "iam.amazonaws.com") == nil)
        #expect(ProxySettings(environment: [:]).proxy(forHost: "iam.amazonaws.com") == nil)
    }
}
