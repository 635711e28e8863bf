/// The length of a retention tier's buckets: fixed seconds aligned to 1970-01-01T00:00:00Z, weeks
/// starting on Monday 00:00 UTC, or calendar months (UTC). docs/backups.md gives the exact rules; the
/// bucket of an instant is `Backup`'s (`RetentionPeriod.bucket(unixSeconds:)`), where the calendar is.
public enum RetentionPeriod: Hashable, Sendable, CustomStringConvertible {
    /// Buckets `[k·n, (k+1)·n)` of seconds since 1970 (so `1h` buckets start on the hour, `1d` at
    /// 00:00 UTC).
    case seconds(Int64)
    /// Buckets of `n` weeks counted from Monday 1970-01-05T00:00:00Z.
    case weeks(Int64)
    /// Buckets of `n` calendar months counted from January 1970.
    case months(Int64)

    /// `30s`, `15m`, `1h`, `1d`, `1w`, `1mo`: the largest whole unit.
    public var description: String {
        switch self {
        case .seconds(let length):
            if length % 86_400 == 0 { return "\(length / 86_400)d" }
            if length % 3_600 == 0 { return "\(length / 3_600)h" }
            if length % 60 == 0 { return "\(length / 60)m" }
            return "\(length)s"
        case .weeks(let count): return "\(count)w"
        case .months(let count): return "\(count)mo"
        }
    }

    /// Parses `description`'s forms (`s`, `m`, `h`, `d`, `w`, `mo`, and `y` = 12 months); nil for
    /// anything else or a length that is not positive.
    public init?(_ text: String) {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 9, let value = Int64(digits), value > 0 else { return nil }
        switch text.dropFirst(digits.count) {
        case "s": self = .seconds(value)
        case "m": self = .seconds(value * 60)
        case "h": self = .seconds(value * 3_600)
        case "d": self = .seconds(value * 86_400)
        case "w": self = .weeks(value)
        case "mo": self = .months(value)
        case "y": self = .months(value * 12)
        default: return nil
        }
    }

    /// How many whole periods make `span` (`15m` in `24h`: 96); nil when it is not a whole number
    /// (months only divide months and years) or more than a million.
    public func count(in span: RetentionPeriod) -> Int? {
        let count: Int64
        switch (self, span) {
        case (.seconds(let length), .seconds(let total)): count = total % length == 0 ? total / length : 0
        case (.seconds(let length), .weeks(let weeks)):
            count = (weeks * 604_800) % length == 0 ? weeks * 604_800 / length : 0
        case (.weeks(let length), .weeks(let total)): count = total % length == 0 ? total / length : 0
        case (.months(let length), .months(let total)): count = total % length == 0 ? total / length : 0
        default: count = 0
        }
        return count > 0 && count <= 1_000_000 ? Int(count) : nil
    }
}
