/// One call through one of the engine's ports, as the hooks around it see it.
struct PortCall: Sendable {
    enum Kind: Sendable {
        /// An IAM or STS request (the IAM client bounds it with its own deadline).
        case iam
        /// Reading, backing up, rewriting or restoring a credential file.
        case file
        /// Loading the rotation record.
        case stateLoad
        /// Saving the rotation record.
        case stateSave
        /// Running `verify_command` (bounded by `verify_timeout`).
        case verify
        /// Restarting a unit of `restart_units` over D-Bus (bounded by `restart_timeout`).
        case restart
    }

    /// The operation, as the crash points name it ("ListAccessKeys", "rewriteFile", "saveState:creating").
    let name: String
    let kind: Kind
}

/// Work done around every port call: the crash points of the fault campaign, the step monitor
/// behind the watchdog, blocking file-system work kept off Swift's cooperative threads.
protocol PortCallHook: Sendable {
    func around<T: Sendable>(_ call: PortCall, _ work: () async throws -> T) async throws -> T
}

/// Several hooks, the first outermost.
struct PortCallHooks: PortCallHook {
    let hooks: [any PortCallHook]

    func around<T: Sendable>(_ call: PortCall, _ work: () async throws -> T) async throws -> T {
        try await nest(call, hooks[...], work)
    }

    private func nest<T: Sendable>(_ call: PortCall, _ rest: ArraySlice<any PortCallHook>,
                                   _ work: () async throws -> T) async throws -> T {
        guard let first = rest.first else { return try await work() }
        return try await first.around(call) { try await nest(call, rest.dropFirst(), work) }
    }
}
