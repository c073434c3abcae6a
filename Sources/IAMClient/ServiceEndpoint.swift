import Foundation

/// One Query API endpoint: where to send requests and which SigV4 scope signs them.
public struct ServiceEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// `https://iam.amazonaws.com` or, for emulators on loopback, `http://127.0.0.1:5000`.
    public let url: URL
    public let signingRegion: String
    /// `iam` or `sts`.
    public let signingService: String

    /// - Throws: ``EndpointError`` when the URL is not `https://`, or `http://` on a non-loopback host.
    public init(url: URL, signingRegion: String, signingService: String) throws {
        guard let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw EndpointError(code: .invalidURL, endpoint: url.absoluteString)
        }
        switch scheme {
        case "https": break
        case "http" where Self.isLoopback(host: host): break
        case "http": throw EndpointError(code: .plainHTTPNotLoopback, endpoint: url.absoluteString)
        default: throw EndpointError(code: .invalidURL, endpoint: url.absoluteString)
        }
        self.url = url
        self.signingRegion = signingRegion
        self.signingService = signingService
    }

    /// The `Host` header value as it is sent and signed: the port only when it is not the scheme's default.
    public var hostHeader: String {
        let host = url.host ?? ""
        let bracketed = host.contains(":") ? "[\(host)]" : host
        guard let port = url.port else { return bracketed }
        let defaultPort = url.scheme?.lowercased() == "https" ? 443 : 80
        return port == defaultPort ? bracketed : "\(bracketed):\(port)"
    }

    public var description: String { "\(url.absoluteString) (signed \(signingRegion)/\(signingService))" }

    /// 127.0.0.0/8, ::1 and `localhost`.
    public static func isLoopback(host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" || bare == "0:0:0:0:0:0:0:1" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) else { return false }
        return octets[0] == "127"
    }
}

/// An endpoint that keyrotd refuses to use.
public struct EndpointError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidURL
        case plainHTTPNotLoopback
    }

    public let code: Code
    public let endpoint: String

    package init(code: Code, endpoint: String) {
        self.code = code
        self.endpoint = endpoint
    }

    public var description: String {
        switch code {
        case .invalidURL:
            "endpoint '\(endpoint)' is not a valid https:// URL; give e.g. https://iam.amazonaws.com"
        case .plainHTTPNotLoopback:
            "endpoint '\(endpoint)' uses plain http:// on a non-loopback host; use https:// (plain http is only allowed for 127.0.0.0/8, ::1 and localhost, i.e. emulators)"
        }
    }
}
