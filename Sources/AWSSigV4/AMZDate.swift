import Foundation

/// The two timestamp forms SigV4 uses, computed arithmetically (no formatter, no time zone lookup).
public struct AMZDate: Sendable, Hashable {
    /// Length of ``timestamp``; its first ``dayLength`` bytes are ``day``.
    static let timestampLength = 16
    static let dayLength = 8

    /// `YYYYMMDDTHHMMSSZ`, the `X-Amz-Date` header value.
    public let timestamp: String
    /// `YYYYMMDD`, the credential scope date.
    public let day: String

    public init(_ date: Date) {
        timestamp = String(unsafeUninitializedCapacity: Self.timestampLength) { output in
            Self.write(date, into: output)
            return Self.timestampLength
        }
        day = String(timestamp.utf8.prefix(Self.dayLength))!
    }

    /// Writes the `YYYYMMDDTHHMMSSZ` form of `date` (whole seconds, rounded down) into the first
    /// ``timestampLength`` bytes of `output`, so the signer needs no `String` for it.
    static func write(_ date: Date, into output: UnsafeMutableBufferPointer<UInt8>) {
        precondition(output.count >= timestampLength, "AMZDate.write: the output needs \(timestampLength) bytes")
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, dayOfMonth) = civilDate(daysSinceEpoch: days)
        var index = 0
        func put(_ value: Int64, width: Int) {
            var remaining = value
            for offset in stride(from: width - 1, through: 0, by: -1) {
                output[index + offset] = UInt8(ascii: "0") + UInt8(abs(remaining % 10))
                remaining /= 10
            }
            index += width
        }
        put(year, width: 4)
        put(month, width: 2)
        put(dayOfMonth, width: 2)
        output[index] = UInt8(ascii: "T")
        index += 1
        put(secondOfDay / 3600, width: 2)
        put(secondOfDay % 3600 / 60, width: 2)
        put(secondOfDay % 60, width: 2)
        output[index] = UInt8(ascii: "Z")
    }

    /// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar, UTC).
    private static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let shifted = daysSinceEpoch + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
