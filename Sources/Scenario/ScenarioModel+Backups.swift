import Determinism

/// Backups of a primary's database on the simulator's clock (scenario section `backups`;
/// docs/backups.md has the ladder's exact rules).
public struct BackupSpec: Sendable, Equatable {
    /// A retention tier's bucket length: fixed seconds (aligned to 1970-01-01T00:00Z), weeks from
    /// Monday, or calendar months.
    public enum Period: Sendable, Equatable {
        case seconds(Int64)
        case weeks(Int64)
        case months(Int64)
    }

    /// Keep the oldest verified snapshot of each of the last `count` buckets of `period`.
    public struct Tier: Sendable, Equatable {
        public var period: Period
        public var count: Int

        public init(period: Period, count: Int) {
            self.period = period
            self.count = count
        }
    }

    /// The primary whose database is backed up.
    public var host: String
    /// The cycle: a snapshot every `every`, the first at `start`.
    public var every: SimDuration
    public var start: SimDuration
    public var tiers: [Tier]
    /// gzip the snapshots.
    public var compress: Bool
    public var position: SourcePosition

    public init(host: String, every: SimDuration = .seconds(900), start: SimDuration = .zero,
                tiers: [Tier] = BackupSpec.standardTiers, compress: Bool = false,
                position: SourcePosition = SourcePosition(line: 0, column: 0)) {
        self.host = host
        self.every = every
        self.start = start
        self.tiers = tiers
        self.compress = compress
        self.position = position
    }

    /// Every 15 minutes kept 24 hours, hourly kept 7 days, daily kept 5 weeks, monthly kept 12 months.
    public static let standardTiers: [Tier] = [
        Tier(period: .seconds(900), count: 96), Tier(period: .seconds(3_600), count: 168),
        Tier(period: .seconds(86_400), count: 35), Tier(period: .months(1), count: 12),
    ]
}

extension BackupSpec.Period {
    /// `30s`, `15m`, `1h`, `1d`, `1w`, `1mo`, `1y` (12 months); nil otherwise.
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

    /// How many whole periods make `span`; nil when it is not a whole number (or months against
    /// a fixed span).
    public func count(in span: BackupSpec.Period) -> Int? {
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
