@testable import Backup
import Determinism
import Testing

/// The retention ladder (docs/backups.md) against computations that do not share its code.
@Suite struct RetentionTests {
    static let day: Int64 = 86_400

    /// Issue 7, must hold 1: 90 days at a 15-minute cycle, pruned after every snapshot as a run
    /// does, end with exactly the set the ladder prescribes, computed here from calendar fields.
    @Test func ninetyDaysAtFifteenMinutesEndWithExactlyTheLadder() {
        let ladder = RetentionLadder.standard
        let epoch = Fixtures.epoch  // 2026-01-01T00:00:00Z
        let steps = 90 * 96
        var live: [RetentionCandidate] = []
        var everPruned = 0
        for step in 0...steps {
            let now = epoch + Int64(step) * 900
            live.append(RetentionCandidate(id: step + 1, unixSeconds: now, state: .verified))
            let decisions = ladder.decide(live, nowUnixSeconds: now)
            let pruned = Set(decisions.filter { !$0.isKept }.map(\.id))
            everPruned += pruned.count
            live.removeAll { pruned.contains($0.id) }
            #expect(live.last?.id == step + 1, "the newest verified snapshot is never pruned")
        }
        let now = epoch + Int64(steps) * 900  // 2026-04-01T00:00:00Z
        let expected = (0...steps).map { epoch + Int64($0) * 900 }.filter { Self.prescribed($0, now: now) }
        #expect(live.map(\.unixSeconds) == expected)
        // 96 quarter-hours + 144 more hours + 28 more days + Jan 1 and Feb 1 (Mar 1 is a kept day).
        #expect(expected.count == 270)
        #expect(everPruned == steps + 1 - 270)
    }

    /// The prescribed set for snapshots on every quarter-hour, from calendar fields of a date
    /// computed by stepping through 2026's months (not `RetentionPeriod.bucket`).
    static func prescribed(_ time: Int64, now: Int64) -> Bool {
        let age = now - time
        if age < day { return true }  // every 15 minutes for 24 hours
        let onTheHour = time % 3_600 == 0, atMidnight = time % day == 0
        if onTheHour && age < 168 * 3_600 { return true }  // hourly for 7 days (now is on the hour)
        if atMidnight && age < 35 * day { return true }  // daily for 5 weeks (now is midnight)
        let (month, dayOfMonth) = monthAndDay2026(time)
        let (nowMonth, _) = monthAndDay2026(now)
        return atMidnight && dayOfMonth == 1 && nowMonth - month < 12  // monthly for 12 months
    }

    static func monthAndDay2026(_ time: Int64) -> (month: Int, day: Int) {
        let lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        var dayOfYear = Int((time - Fixtures.epoch) / day)
        for (month, length) in lengths.enumerated() {
            if dayOfYear < length { return (month + 1, dayOfYear + 1) }
            dayOfYear -= length
        }
        fatalError("outside 2026")
    }

    /// Random histories (irregular times, failed and pending snapshots, any ladder) against a
    /// literal reading of the rules, one snapshot at a time.
    @Test(arguments: 0..<40) func decisionsEqualALiteralReadingOfTheRules(seed: UInt64) {
        var random = SeededRandom(seed: seed, label: "retention")
        let periods: [RetentionPeriod] = [.seconds(900), .seconds(3_600), .seconds(86_400), .weeks(1), .months(1), .months(3)]
        let tiers = (0..<random.int(in: 0...4)).map { _ in
            RetentionTier(period: random.element(of: periods)!, count: random.int(in: 1...20))
        }
        let ladder = RetentionLadder(tiers: tiers)
        var time = Fixtures.epoch + Int64(random.int(in: 0...1_000_000))
        var candidates: [RetentionCandidate] = []
        for id in 1...random.int(in: 1...300) {
            time += Int64(random.int(in: 0...200_000))
            let roll = random.int(in: 0...99)
            let state: SnapshotState = roll < 10 ? .failed : roll < 15 ? .pending : .verified
            candidates.append(RetentionCandidate(id: id, unixSeconds: time, state: state))
        }
        random.shuffle(&candidates)
        let now = time + Int64(random.int(in: 0...100_000))
        let decisions = ladder.decide(candidates, nowUnixSeconds: now)
        #expect(decisions.map(\.id) == candidates.map(\.id))
        for (candidate, decision) in zip(candidates, decisions) {
            #expect(decision.reasons == Self.literalReasons(candidate, all: candidates, ladder: ladder, now: now),
                    "seed \(seed), snapshot \(candidate.id)")
        }
    }

    static func literalReasons(_ c: RetentionCandidate, all: [RetentionCandidate], ladder: RetentionLadder,
                               now: Int64) -> [String] {
        func newer(_ a: RetentionCandidate, _ b: RetentionCandidate) -> Bool {
            a.unixSeconds > b.unixSeconds || (a.unixSeconds == b.unixSeconds && a.id > b.id)
        }
        let verified = all.filter { $0.state == .verified }
        var reasons: [String] = []
        if c.state == .pending { reasons.append("pending") }
        let isLatest = c.state == .verified && !verified.contains { newer($0, c) }
        if isLatest { reasons.append("latest") }
        if !verified.contains(where: { $0.id == c.id || newer($0, c) }) { reasons.append("awaiting-verified") }
        for tier in ladder.tiers where c.state == .verified {
            let bucket = tier.period.bucket(unixSeconds: c.unixSeconds)
            let current = tier.period.bucket(unixSeconds: now)
            let inWindow = bucket <= current && current - bucket < Int64(tier.count)
            let oldest = !verified.contains { $0.id != c.id && tier.period.bucket(unixSeconds: $0.unixSeconds) == bucket && newer(c, $0) }
            if inWindow && oldest { reasons.append(tier.label) }
        }
        return reasons
    }

    /// Issue 7, must hold 4: while every new snapshot fails verification, nothing older than the
    /// last verified one is pruned past it, and the last verified one stays.
    @Test func pruningNeverRemovesTheLastVerifiedSnapshot() {
        let ladder = RetentionLadder(tiers: [RetentionTier(period: .seconds(900), count: 2)])
        var live: [RetentionCandidate] = []
        for step in 0..<200 {
            let now = Fixtures.epoch + Int64(step) * 900
            let state: SnapshotState = step < 10 || step >= 150 ? .verified : .failed
            live.append(RetentionCandidate(id: step + 1, unixSeconds: now, state: state))
            let decisions = ladder.decide(live, nowUnixSeconds: now)
            let pruned = Set(decisions.filter { !$0.isKept }.map(\.id))
            live.removeAll { pruned.contains($0.id) }
            let latestVerified = step < 150 ? min(step, 9) + 1 : step + 1
            #expect(live.contains { $0.id == latestVerified })
            // Failed snapshots newer than the last verified one wait for a newer verified one.
            #expect(live.filter { $0.id > latestVerified }.count == step + 1 - latestVerified)
        }
        #expect(live.map(\.id) == [199, 200])
    }

    @Test func periodsParsePrintAndBucket() {
        #expect(RetentionPeriod("15m") == .seconds(900) && RetentionPeriod("1h") == .seconds(3_600))
        #expect(RetentionPeriod("1mo") == .months(1) && RetentionPeriod("1y") == .months(12))
        #expect(RetentionPeriod("2w") == .weeks(2) && RetentionPeriod("0h") == nil && RetentionPeriod("h") == nil)
        #expect(RetentionPeriod("5x") == nil && RetentionPeriod("-1d") == nil)
        #expect(["30s", "15m", "1h", "1d", "1w", "1mo"].allSatisfy { RetentionPeriod($0)?.description == $0 })
        #expect(RetentionTier(period: .seconds(900), keep: .seconds(86_400))?.count == 96)
        #expect(RetentionTier(period: .seconds(86_400), keep: .weeks(5))?.count == 35)
        #expect(RetentionTier(period: .months(1), keep: .months(12))?.count == 12)
        #expect(RetentionTier(period: .seconds(3_600), keep: .seconds(5_000)) == nil)
        #expect(RetentionTier(period: .months(1), keep: .seconds(86_400)) == nil)
        // 2026-01-05 is a Monday: Sunday 23:59:59 and Monday 00:00 fall in different weeks.
        let monday = Fixtures.epoch + 4 * Self.day
        #expect(RetentionPeriod.weeks(1).bucket(unixSeconds: monday - 1) + 1 == RetentionPeriod.weeks(1).bucket(unixSeconds: monday))
        // 2026-01-31T23:59:59Z and 2026-02-01T00:00:00Z.
        let february = Fixtures.epoch + 31 * Self.day
        #expect(RetentionPeriod.months(1).bucket(unixSeconds: february - 1) == 56 * 12)
        #expect(RetentionPeriod.months(1).bucket(unixSeconds: february) == 56 * 12 + 1)
        #expect(UTCText.iso8601(february) == "2026-02-01T00:00:00Z" && UTCText.compact(february - 1) == "20260131T235959Z")
    }
}
