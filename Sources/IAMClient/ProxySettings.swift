import Foundation

/// `HTTPS_PROXY` / `NO_PROXY` as curl and botocore read them.
public struct ProxySettings: Sendable, Hashable {
    public let proxyHost: String?
    public let proxyPort: Int
    /// Host suffixes (or `*`) that bypass the proxy.
    public let noProxy: [String]

    public init(proxyHost: String?, proxyPort: Int = 8080, noProxy: [String] = []) {
        self.proxyHost = proxyHost
        self.proxyPort = proxyPort
        self.noProxy = noProxy
    }

    /// Reads `HTTPS_PROXY`/`https_proxy` (e.g. `http://proxy:3128`) and `NO_PROXY`/`no_proxy` (comma list).
    public init(environment: [String: String]) {
        let proxy = environment["HTTPS_PROXY"] ?? environment["https_proxy"] ?? ""
        let noProxy = environment["NO_PROXY"] ?? environment["no_proxy"] ?? ""
        var hostPort = Substring(proxy)
        if let scheme = hostPort.range(of: "://") { hostPort = hostPort[scheme.upperBound...] }
        if let at = hostPort.lastIndex(of: "@") { hostPort = hostPort[hostPort.index(after: at)...] }
        if let slash = hostPort.firstIndex(of: "/") { hostPort = hostPort[..<slash] }
        var host = hostPort
        var port = 8080
        if let colon = hostPort.lastIndex(of: ":"), let parsed = Int(hostPort[hostPort.index(after: colon)...]) {
            host = hostPort[..<colon]
            port = parsed
        }
        self.init(
            proxyHost: host.isEmpty ? nil : String(host), proxyPort: port,
            noProxy: noProxy.split(separator: ",").map { $0.trimmingSpaces().lowercased() }.filter { !$0.isEmpty })
    }

    /// The proxy to use for `host`, or nil to connect directly (no proxy set, loopback, or NO_PROXY match).
    public func proxy(forHost host: String) -> (host: String, port: Int)? {
        guard let proxyHost, !ServiceEndpoint.isLoopback(host: host) else { return nil }
        let lowered = host.lowercased()
        for entry in noProxy {
            if entry == "*" { return nil }
            let suffix = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
            if lowered == suffix || lowered.hasSuffix("." + suffix) { return nil }
        }
        return (proxyHost, proxyPort)
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
