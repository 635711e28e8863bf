import Determinism

/// Backups of a primary's database on the simulator's clock (scenario section `backups`;
/// docs/backups.md has the ladder's exact rules).
public struct BackupSpec: Sendable, Equatable {
    /// Keep the oldest verified snapshot of each of the last `count` buckets of `period`.
    public struct Tier: Sendable, Equatable {
        public var period: RetentionPeriod
        public var count: Int

        public init(period: RetentionPeriod, count: Int) {
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
