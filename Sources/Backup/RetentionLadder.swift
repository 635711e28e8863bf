import Determinism
import DNSWire

extension RetentionPeriod {
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
        guard let count = period.count(in: span) else { return nil }
        self.init(period: period, count: count)
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
            let label = tier.label
            let current = tier.period.bucket(unixSeconds: nowUnixSeconds)
            let oldestKept = current - Int64(tier.count) + 1
            var previousBucket: Int64?
            for index in verified {
                let bucket = tier.period.bucket(unixSeconds: candidates[index].unixSeconds)
                defer { previousBucket = bucket }
                guard bucket != previousBucket, bucket >= oldestKept else { continue }
                reasons[index].append(label)
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
