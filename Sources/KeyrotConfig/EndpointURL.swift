import Foundation

/// Checks an `iam_endpoint` / `sts_endpoint` override: https anywhere, plain http only on loopback,
/// so that signed requests never cross a network in clear text.
enum EndpointURL {
    enum Validation {
        case valid(URL)
        case invalid(String)
    }

    static func validate(_ text: String) -> Validation {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              let rawHost = components.host, !rawHost.isEmpty, let url = components.url else {
            return .invalid("`\(text)` is not a URL; write one such as https://iam.amazonaws.com or http://127.0.0.1:5000")
        }
        guard components.user == nil, components.password == nil,
              components.query == nil, components.fragment == nil else {
            // The text is not repeated: it may hold a password.
            return .invalid("give only scheme, host, port and path (no user, password, query or fragment)")
        }
        switch scheme {
        case "https":
            return .valid(url)
        case "http" where isLoopback(rawHost):
            return .valid(url)
        case "http":
            return .invalid("`\(text)` uses plain http, which is only allowed for a local emulator on a loopback host "
                + "(127.0.0.0/8, ::1, localhost); use https")
        default:
            return .invalid("`\(text)`: the scheme must be https (or http for a loopback emulator)")
        }
    }

    /// `localhost`, `::1` or an IPv4 address in 127.0.0.0/8.
    static func isLoopback(_ host: String) -> Bool {
        let bare = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if bare == "localhost" || bare == "::1" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4,
              octets.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } && UInt8($0) != nil })
        else { return false }
        return octets[0] == "127"
    }
}
