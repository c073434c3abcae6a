import FoundationEssentials

/// How keyrotd writes a time for people (journal, STATUS, `status`, `check`): "2026-11-29 14:05 UTC".
/// To the minute, since every deadline keyrotd keeps is minutes to days away; always UTC, so that
/// hosts in different time zones print the same text.
public enum MinuteStamp {
    public static func text(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ n: Int?) -> String { n.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "??" }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)) UTC"
    }
}
