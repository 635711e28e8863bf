import DNSWire

/// The length of a retention tier's buckets: fixed seconds aligned to 1970-01-01T00:00:00Z, weeks
/// starting on Monday 00:00 UTC, or calendar months (UTC). docs/backups.md gives the exact rules.
public enum RetentionPeriod: Hashable, Sendable, CustomStringConvertible {
    /// Buckets `[k·n, (k+1)·n)` of seconds since 1970 (so `1h` buckets start on the hour, `1d` at
    /// 00:00 UTC).
    case seconds(Int64)
    /// Buckets of `n` weeks counted from Monday 1970-01-05T00:00:00Z.
    case weeks(Int64)
    /// Buckets of `n` calendar months counted from January 1970.
    case months(Int64)

    /// The bucket index of an instant given as seconds since 1970.
    public func bucket(unixSeconds: Int64) -> Int64 {
        switch self {
        case .seconds(let length):
            return floorDivide(unixSeconds, length)
        case .weeks(let count):
            let firstMonday: Int64 = 4 * 86_400  // 1970-01-01 was a Thursday
            return floorDivide(unixSeconds - firstMonday, 604_800 * count)
        case .months(let count):
            let days = Int(floorDivide(unixSeconds, 86_400))
            let date = TextEncoding.civilDate(daysSinceEpoch: days)
            let monthIndex = Int64(date.year - 1970) * 12 + Int64(date.month - 1)
            return floorDivide(monthIndex, count)
        }
    }

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
}

/// One rung of the ladder: keep the oldest verified snapshot of each of the last `count` buckets.
public struct RetentionTier: Hashable, Sendable {
    public var period: RetentionPeriod
    /// How many buckets, counting the current one, the tier keeps.
    public var count: Int

    public init(period: RetentionPeriod, count: Int) {
        precondition(count > 0, "a tier keeps at least one bucket")
        self.period = period
        self.count = count
    }

    /// A tier `period` kept for `span` (`15m` kept `24h` = 96 buckets). Nil when `span` is not a
    /// whole number of periods (months only divide months and years).
    public init?(period: RetentionPeriod, keep span: RetentionPeriod) {
        let count: Int64
        switch (period, span) {
        case (.seconds(let length), .seconds(let total)): count = total % length == 0 ? total / length : 0
        case (.seconds(let length), .weeks(let weeks)):
            count = (weeks * 604_800) % length == 0 ? weeks * 604_800 / length : 0
        case (.weeks(let length), .weeks(let total)): count = total % length == 0 ? total / length : 0
        case (.months(let length), .months(let total)): count = total % length == 0 ? total / length : 0
        default: count = 0
        }
        guard count > 0, count <= 1_000_000 else { return nil }
        self.init(period: period, count: Int(count))
    }

    /// The tier's name in reasons and reports: its period (`1h`).
    public var label: String { period.description }
}

/// Where a snapshot stands in its life: taken and not yet checked, checked and sound, or failed
/// (bad checksum, failed integrity check, content different from what the primary served).
public enum SnapshotState: String, Hashable, Sendable {
    case pending
    case verified
    case failed
}

/// What the ladder needs to know about a snapshot.
public struct RetentionCandidate: Hashable, Sendable {
    public var id: Int
    /// When it was taken, seconds since 1970 (the run's epoch plus the instant).
    public var unixSeconds: Int64
    public var state: SnapshotState

    public init(id: Int, unixSeconds: Int64, state: SnapshotState) {
        self.id = id
        self.unixSeconds = unixSeconds
        self.state = state
    }
}

/// The ladder's verdict on one snapshot: kept (with every reason that keeps it) or pruned.
public struct RetentionDecision: Hashable, Sendable {
    public var id: Int
    /// Why it is kept, in a fixed order: `pending`, `latest`, `awaiting-verified`, then the labels
    /// of the tiers that keep it in ladder order. Empty: prune it.
    public var reasons: [String]

    public var isKept: Bool { !reasons.isEmpty }
}

/// A retention ladder: tiers of (bucket length, bucket count). docs/backups.md states the rules
/// this type implements; `decide` is a pure function of the snapshots and the time.
public struct RetentionLadder: Hashable, Sendable {
    public var tiers: [RetentionTier]

    public init(tiers: [RetentionTier]) {
        self.tiers = tiers
    }

    /// Every 15 minutes kept 24 hours, hourly kept 7 days, daily kept 5 weeks, monthly kept 12 months.
    public static let standard = RetentionLadder(tiers: [
        RetentionTier(period: .seconds(900), count: 96),
        RetentionTier(period: .seconds(3_600), count: 168),
        RetentionTier(period: .seconds(86_400), count: 35),
        RetentionTier(period: .months(1), count: 12),
    ])

    /// Decides, at `nowUnixSeconds`, which snapshots to keep. One decision per candidate, in the
    /// candidates' order. Rules (docs/backups.md):
    /// 1. a pending snapshot is kept (`pending`);
    /// 2. the newest verified snapshot is kept (`latest`);
    /// 3. a snapshot newer than the newest verified one is kept (`awaiting-verified`): nothing is
    ///    pruned before a newer snapshot has been verified;
    /// 4. for each tier, the oldest verified snapshot of each bucket among the tier's last `count`
    ///    buckets (the current one included) is kept (the tier's label);
    /// 5. everything else is pruned.
    /// Ties in time go to the lower id.
    public func decide(_ candidates: [RetentionCandidate], nowUnixSeconds: Int64) -> [RetentionDecision] {
        let order = candidates.indices.sorted {
            (candidates[$0].unixSeconds, candidates[$0].id) < (candidates[$1].unixSeconds, candidates[$1].id)
        }
        let verified = order.filter { candidates[$0].state == .verified }
        var reasons = [[String]](repeating: [], count: candidates.count)
        for index in candidates.indices where candidates[index].state == .pending {
            reasons[index].append("pending")
        }
        if let latest = verified.last {
            reasons[latest].append("latest")
            let latestKey = (candidates[latest].unixSeconds, candidates[latest].id)
            for index in order where (candidates[index].unixSeconds, candidates[index].id) > latestKey {
                reasons[index].append("awaiting-verified")
            }
        } else {
            for index in candidates.indices { reasons[index].append("awaiting-verified") }
        }
        for tier in tiers {
            let current = tier.period.bucket(unixSeconds: nowUnixSeconds)
            let oldestKept = current - Int64(tier.count) + 1
            var previousBucket: Int64?
            for index in verified {
                let bucket = tier.period.bucket(unixSeconds: candidates[index].unixSeconds)
                defer { previousBucket = bucket }
                guard bucket != previousBucket, bucket >= oldestKept else { continue }
                reasons[index].append(tier.label)
            }
        }
        return candidates.indices.map { RetentionDecision(id: candidates[$0].id, reasons: reasons[$0]) }
    }
}

/// Division rounding toward negative infinity.
func floorDivide(_ numerator: Int64, _ denominator: Int64) -> Int64 {
    precondition(denominator > 0, "a bucket has a positive length")
    let quotient = numerator / denominator
    return (numerator % denominator != 0 && numerator < 0) ? quotient - 1 : quotient
}
