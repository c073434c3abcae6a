/// Durations in keyrotd.yml: a non-negative integer and one unit, `s`, `m`, `h` or `d` (`90d`, `0s`).
enum ConfigDuration {
    /// Seconds per unit letter.
    static let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]

    /// The duration `text` spells, or nil when it is not of the form above or would overflow.
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
