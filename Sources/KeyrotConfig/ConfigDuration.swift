/// Durations in keyrotd.yml: a non-negative integer and one unit, `s`, `m`, `h` or `d` (`90d`, `0s`).
enum ConfigDuration {
    /// Seconds per unit letter.
    static let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]

    /// The longest duration keyrotd accepts: ten years. keyrotd adds durations to dates (a key's
    /// creation plus `max_age`, now plus `check_interval`, overlap plus grace...), sleeps for them
    /// (`Duration`, Int64 nanoseconds: 292 years) and hands them to systemd in microseconds. With
    /// every one of the six durations at most ten years, any sum of them (60 years at most) stays
    /// within each of those, so no arithmetic on a configured duration can trap.
    static let maximumDays: Int64 = 3_650
    static let maximum: Duration = .seconds(maximumDays * 86_400)

    /// The duration `text` spells, or nil when it is not of the form above or would overflow
    /// (the caller checks it against ``maximum``).
    static func parse(_ text: String) -> Duration? {
        guard let unit = text.last, let scale = units[unit] else { return nil }
        let digits = text.dropLast()
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let count = Int64(digits) else { return nil }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        return .seconds(seconds)
    }
}
