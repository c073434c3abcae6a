import RotationEngine

extension RotationPolicy {
    /// The policy the engine tests are written against (their messages and dates assume these
    /// values: a 90-day max age, 1 h overlap, 1 day grace, 120 s propagation timeout, 3 checks).
    public static func forTests(
        user: String = "snowplow-operator", files: [String], adjust: (inout RotationPolicy) -> Void = { _ in }
    ) -> RotationPolicy {
        var policy = RotationPolicy(
            user: user, files: files, maxAge: 90 * 86_400, overlap: 3_600, grace: 86_400, propagationTimeout: 120,
            requiredConsecutiveChecks: 3, deleteUnknownActiveKeys: false, hasVerifyCommand: false)
        adjust(&policy)
        return policy
    }
}
