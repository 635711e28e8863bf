import DNSWire
import Determinism
import Testing

@testable import Balancer

@Suite struct RuleRateTests {
    typealias F = RuleFixture

    /// Drives `MaxQPSIP(limit)` + Drop with one client offering `offered` evenly spaced queries per
    /// second for `seconds`, and returns the passed queries per second averaged over the run.
    static func passedPerSecond(limit: UInt32, offered: Int, seconds: Int) throws -> Double {
        var chain = try QueryRuleChain([QueryRuleConfig(selector: .maxQPSIP(qps: limit), action: .drop)])
        var random = SeededRandom(seed: 1)
        let spacing = 1_000_000_000 / UInt64(offered)
        var passed = 0
        var query = F.query(client: "203.0.113.5")
        for index in 0..<(offered * seconds) {
            query.arrival = Instant(nanoseconds: UInt64(index) * spacing)
            if chain.evaluate(query, random: &random).verdict == .forward { passed += 1 }
        }
        return Double(passed) / Double(seconds)
    }

    @Test(arguments: [2_000, 5_000, 20_000])
    func maxQPSIPFidelityAgainstDnsdist(offered: Int) throws {
        // Real dnsdist 1.7.3 let ~1,100/s through: the 1,000/s refill plus the initial burst of
        // 1,000 tokens spread over 10 s.
        let rate = try Self.passedPerSecond(limit: 1_000, offered: offered, seconds: 10)
        #expect(abs(rate - 1_100) <= 110, "offered \(offered)/s passed \(rate)/s")
        #expect(rate >= 1_099 && rate <= 1_101)
    }

    @Test func maxQPSIPMatchesOnlyTheExcessOfEachClient() throws {
        var chain = try QueryRuleChain([QueryRuleConfig(selector: .maxQPSIP(qps: 3), action: .drop)])
        var random = SeededRandom(seed: 1)
        func verdicts(_ client: String, from start: Int64) -> [QueryVerdict] {
            (0..<5).map { step in
                chain.evaluate(F.query(client: client, at: F.at(milliseconds: start + Int64(step))), random: &random)
                    .verdict
            }
        }
        #expect(verdicts("192.0.2.1", from: 0) == [.forward, .forward, .forward, .drop, .drop])
        // Another /32 has its own bucket.
        #expect(verdicts("192.0.2.2", from: 10) == [.forward, .forward, .forward, .drop, .drop])
        #expect(chain.trackedSubnets == [2])
    }

    @Test func masksGroupClientsIntoSubnets() throws {
        var chain = try QueryRuleChain([
            QueryRuleConfig(selector: .maxQPSIP(qps: 2, ipv4Mask: 24, ipv6Mask: 48), action: .drop)
        ])
        var random = SeededRandom(seed: 1)
        let clients = ["192.0.2.1", "192.0.2.200", "192.0.2.77", "192.0.3.1"]
        let v4 = clients.map { chain.evaluate(F.query(client: $0), random: &random).verdict }
        #expect(v4 == [.forward, .forward, .drop, .forward])
        let v6clients = ["2001:db8:1:1::1", "2001:db8:1:ffff::2", "2001:db8:1:2::3", "2001:db8:2::1"]
        let v6 = v6clients.map { chain.evaluate(F.query(client: $0), random: &random).verdict }
        #expect(v6 == [.forward, .forward, .drop, .forward])
        #expect(chain.trackedSubnets == [4])
        // Default IPv6 mask /64; masks above /64 are keyed by the whole masked address.
        var wide = try QueryRuleChain([QueryRuleConfig(selector: .maxQPSIP(qps: 1, ipv6Mask: 128), action: .drop)])
        let wideVerdicts = ["2001:db8::1", "2001:db8::2", "2001:db8::1"].map {
            wide.evaluate(F.query(client: $0), random: &random).verdict
        }
        #expect(wideVerdicts == [.forward, .forward, .drop])
    }

    @Test func burstSetsTheBucketSize() throws {
        var chain = try QueryRuleChain([QueryRuleConfig(selector: .maxQPSIP(qps: 10, burst: 50), action: .drop)])
        var random = SeededRandom(seed: 1)
        var passed = 0
        for step in 0..<100 {
            let query = F.query(at: Instant(nanoseconds: UInt64(step) * 1_000))
            if chain.evaluate(query, random: &random).verdict == .forward { passed += 1 }
        }
        #expect(passed == 50)
        // Refill: 10/s, so 100 ms later exactly one more token.
        let later = chain.evaluate(F.query(at: F.at(milliseconds: 100)), random: &random)
        #expect(later.verdict == .forward)
        let after = chain.evaluate(F.query(at: F.at(milliseconds: 101)), random: &random)
        #expect(after.verdict == .drop)
    }

    @Test func idleSubnetsExpire() throws {
        var chain = try QueryRuleChain([
            QueryRuleConfig(
                selector: .maxQPSIP(qps: 5, expiration: .seconds(30), cleanupDelay: .seconds(10)), action: .drop)
        ])
        var random = SeededRandom(seed: 1)
        for index in 0..<100 {
            _ = chain.evaluate(F.query(client: "10.0.\(index / 250).\(index % 250)"), random: &random)
        }
        #expect(chain.trackedSubnets == [100])
        // 20 s later: swept, but nothing has been idle for 30 s yet.
        _ = chain.evaluate(F.query(client: "10.9.9.9", at: .zero + .seconds(20)), random: &random)
        #expect(chain.trackedSubnets == [101])
        // 41 s: the first 100 are idle for 41 s and go; 10.9.9.9 (idle 21 s) stays.
        _ = chain.evaluate(F.query(client: "10.9.9.8", at: .zero + .seconds(41)), random: &random)
        #expect(chain.trackedSubnets == [2])
        // A returning client starts again with a full bucket.
        let back = chain.evaluate(F.query(client: "10.0.0.0", at: .zero + .seconds(42)), random: &random)
        #expect(back.verdict == .forward)
        #expect(chain.trackedSubnets == [3])
    }

    @Test func zeroCleanupDelayNeverSweeps() throws {
        var chain = try QueryRuleChain([
            QueryRuleConfig(selector: .maxQPSIP(qps: 5, expiration: .seconds(1), cleanupDelay: .zero), action: .drop)
        ])
        var random = SeededRandom(seed: 1)
        _ = chain.evaluate(F.query(client: "10.0.0.1"), random: &random)
        _ = chain.evaluate(F.query(client: "10.0.0.2", at: .zero + .seconds(1_000)), random: &random)
        #expect(chain.trackedSubnets == [2])
    }

    @Test func maxQPSMatchesTrafficUnderTheLimit() throws {
        // A global limit is Not(MaxQPS): drop what exceeds 100/s.
        var chain = try QueryRuleChain([QueryRuleConfig(selector: .not(.maxQPS(qps: 100)), action: .drop)])
        var random = SeededRandom(seed: 1)
        var passed = 0
        // 1,000 queries/s from many clients over 5 s.
        for index in 0..<5_000 {
            let query = F.query(client: "10.1.\(index % 200).\(index % 250)", at: Instant(nanoseconds: UInt64(index) * 1_000_000))
            if chain.evaluate(query, random: &random).verdict == .forward { passed += 1 }
        }
        #expect(passed >= 599 && passed <= 601)  // 100 burst + 100/s × 5 s
        let under = try F.dropping(.maxQPS(qps: 2, burst: 3))
        let matches = (0..<5).map { under.matches(F.query(at: F.at(milliseconds: Int64($0)))) }
        #expect(matches == [true, true, true, false, false])
    }

    @Test func timeRunningBackwardsRefillsNothing() throws {
        let chain = try F.dropping(.maxQPSIP(qps: 1))
        #expect(!chain.matches(F.query(at: .zero + .seconds(10))))
        #expect(chain.matches(F.query(at: .zero + .seconds(5))))
        #expect(chain.matches(F.query(at: .zero + .seconds(10))))
        #expect(!chain.matches(F.query(at: .zero + .seconds(11))))
    }
}
