import DNSWire
import Determinism
import Testing

@testable import Balancer

@Suite struct PolicyTests {
    private func pick(_ table: inout BackendTable, _ qname: String = "www.example.com.", pool: String = "",
                      at: Instant = .zero, random: inout SeededRandom) -> Int?
    {
        table.select(pool: pool, query: Fixture.view(qname, at: at), random: &random)
    }

    @Test func leastOutstandingRanksByOutstandingThenOrderThenLatency() throws {
        var random = SeededRandom(seed: 1)
        var table = try Fixture.table([
            Fixture.forced("a", order: 2), Fixture.forced("b", order: 1), Fixture.forced("c", order: 1),
        ])
        // Equal outstanding (0) and latency (0): lowest order, first in pool order among b and c.
        #expect(pick(&table, random: &random) == 1)
        // Latency breaks the order tie: b gets slower than c.
        table.queryForwarded(backend: 1, now: .zero)
        table.responseReceived(backend: 1, sentAt: .zero, now: Fixture.at(0, ms: 10), rcode: .noError, overTCP: false)
        #expect(pick(&table, random: &random) == 2)
        // Outstanding beats order and latency.
        table.queryForwarded(backend: 2, now: .zero)
        table.queryForwarded(backend: 1, now: .zero)
        #expect(table[0].outstanding == 0)
        #expect(pick(&table, random: &random) == 0)
        table.queryForwarded(backend: 0, now: .zero)
        // All at 1 outstanding: order 1 wins, then latency: c (0 µs) over b.
        #expect(pick(&table, random: &random) == 2)
        // Down servers are never picked.
        table.setDown(backend: 2, now: .zero)
        table.setDown(backend: 1, now: .zero)
        #expect(pick(&table, random: &random) == 0)
        table.setDown(backend: 0, now: .zero)
        #expect(pick(&table, random: &random) == nil)
    }

    @Test func singleServerPoolIsReturnedWhenUp() throws {
        var random = SeededRandom(seed: 1)
        var table = try Fixture.table([Fixture.forced("a", pools: ["solo"]), Fixture.forced("b")])
        #expect(pick(&table, pool: "solo", random: &random) == 0)
        table.setDown(backend: 0, now: .zero)
        #expect(pick(&table, pool: "solo", random: &random) == nil)
        #expect(pick(&table, pool: "missing", random: &random) == nil)
    }

    @Test func firstAvailableHonoursQPSAndFallsBack() throws {
        var random = SeededRandom(seed: 1)
        var table = try Fixture.table(
            [Fixture.forced("second", order: 2, qps: 1), Fixture.forced("first", order: 1, qps: 2)],
            policy: .firstAvailable)
        // Increasing order: "first" (order 1) until its two tokens are used.
        for _ in 0..<2 {
            let chosen = pick(&table, random: &random)
            #expect(chosen == 1)
            table.queryForwarded(backend: 1, now: .zero)
        }
        #expect(pick(&table, random: &random) == 0)
        table.queryForwarded(backend: 0, now: .zero)
        // Everyone over the limit: leastOutstanding (1 vs 2 outstanding) picks "second".
        #expect(pick(&table, random: &random) == 0)
        // Half a second later "first" has one token again.
        #expect(pick(&table, at: Fixture.at(0, ms: 500), random: &random) == 1)
        // Peeking consumed nothing.
        #expect(pick(&table, at: Fixture.at(0, ms: 500), random: &random) == 1)
        // A server without a limit is always available.
        var unlimited = try Fixture.table([Fixture.forced("x", order: 1)], policy: .firstAvailable)
        for _ in 0..<100 { unlimited.queryForwarded(backend: 0, now: .zero) }
        #expect(pick(&unlimited, random: &random) == 0)
    }

    @Test func wrandomFollowsWeightsDeterministically() throws {
        func run(seed: UInt64) throws -> [Int] {
            var random = SeededRandom(seed: seed)
            var table = try Fixture.table(
                [Fixture.forced("a", weight: 1), Fixture.forced("b", weight: 3), Fixture.forced("c", weight: 4)],
                policy: .wrandom)
            var counts = [0, 0, 0]
            for _ in 0..<80_000 { counts[pick(&table, random: &random)!] += 1 }
            return counts
        }
        let counts = try run(seed: 42)
        #expect(try run(seed: 42) == counts)
        #expect(abs(counts[0] - 10_000) < 600)
        #expect(abs(counts[1] - 30_000) < 900)
        #expect(abs(counts[2] - 40_000) < 900)
        // Down servers drop out of the draw.
        var random = SeededRandom(seed: 7)
        var table = try Fixture.table([Fixture.forced("a", weight: 1), Fixture.forced("b", weight: 3)], policy: .wrandom)
        table.setDown(backend: 1, now: .zero)
        for _ in 0..<100 { #expect(pick(&table, random: &random) == 0) }
        table.setDown(backend: 0, now: .zero)
        #expect(pick(&table, random: &random) == nil)
    }

    @Test func whashedIsStickyCaseInsensitiveAndWeighted() throws {
        var random = SeededRandom(seed: 1)
        var table = try Fixture.table(
            [Fixture.forced("a", weight: 1), Fixture.forced("b", weight: 3)], policy: .whashed)
        let first = pick(&table, "Host-17.Example.NET.", random: &random)
        for _ in 0..<20 {
            #expect(pick(&table, "host-17.example.net.", random: &random) == first)
            #expect(pick(&table, "HOST-17.EXAMPLE.NET.", random: &random) == first)
        }
        var counts = [0, 0]
        var mapping: [Int] = []
        for index in 0..<8000 {
            let chosen = pick(&table, "host-\(index).example.net.", random: &random)!
            counts[chosen] += 1
            mapping.append(chosen)
        }
        #expect(abs(counts[0] - 2000) < 250)
        // The hash does not use the random stream: selecting again gives the same mapping.
        var other = SeededRandom(seed: 999)
        for index in 0..<200 {
            #expect(pick(&table, "host-\(index).example.net.", random: &other) == mapping[index])
        }
        // A different perturbation gives a different (but equally sticky) mapping.
        var perturbed = try Fixture.table(
            [Fixture.forced("a", weight: 1), Fixture.forced("b", weight: 3)], policy: .whashed,
            loadBalancing: LoadBalancingConfig(hashPerturbation: 12345))
        var moved = 0
        for index in 0..<2000 {
            let chosen = pick(&perturbed, "host-\(index).example.net.", random: &random)!
            #expect(pick(&perturbed, "host-\(index).example.net.", random: &random) == chosen)
            if chosen != mapping[index] { moved += 1 }
        }
        #expect(moved > 400)
    }

    @Test func chashedMovesOnlyTheNamesOfADownServer() throws {
        var random = SeededRandom(seed: 1)
        var table = try Fixture.table(
            [Fixture.forced("ns1", weight: 200), Fixture.forced("ns2", weight: 200), Fixture.forced("ns3", weight: 200)],
            policy: .chashed)
        let names = (0..<3000).map { "user\($0).dyn.example." }
        let before = names.map { pick(&table, $0, random: &random)! }
        var counts = [0, 0, 0]
        for chosen in before { counts[chosen] += 1 }
        for count in counts { #expect(count > 700 && count < 1300) }
        // Case does not matter.
        #expect(pick(&table, "USER5.DYN.EXAMPLE.", random: &random) == before[5])

        table.setDown(backend: 1, now: .zero)
        let after = names.map { pick(&table, $0, random: &random)! }
        for (old, new) in zip(before, after) {
            if old == 1 {
                #expect(new != 1)
            } else {
                #expect(new == old)
            }
        }
        // Back up: the original mapping returns.
        table.setUp(backend: 1, now: .zero)
        #expect(names.map { pick(&table, $0, random: &random)! } == before)
        // The ring depends on names, weights and perturbation only: a rebuilt table agrees.
        var rebuilt = try Fixture.table(
            [Fixture.forced("ns1", weight: 200), Fixture.forced("ns2", weight: 200), Fixture.forced("ns3", weight: 200)],
            policy: .chashed)
        #expect(names.prefix(100).map { pick(&rebuilt, $0, random: &random)! } == Array(before.prefix(100)))
        table.setDown(backend: 0, now: .zero)
        table.setDown(backend: 1, now: .zero)
        table.setDown(backend: 2, now: .zero)
        #expect(pick(&table, random: &random) == nil)
    }

    @Test func roundrobinCyclesUpServersAndPicksADownOneWhenAllAreDown() throws {
        var random = SeededRandom(seed: 1)
        var table = try Fixture.table(
            [Fixture.forced("a"), Fixture.forced("b"), Fixture.forced("c")], policy: .roundrobin)
        #expect((0..<6).map { _ in pick(&table, random: &random)! } == [0, 1, 2, 0, 1, 2])
        table.setDown(backend: 1, now: .zero)
        #expect((0..<4).map { _ in pick(&table, random: &random)! } == [0, 2, 0, 2])
        table.setDown(backend: 0, now: .zero)
        table.setDown(backend: 2, now: .zero)
        // dnsdist still picks one of the (down) servers.
        let picks = (0..<3).map { _ in pick(&table, random: &random)! }
        #expect(Set(picks) == [0, 1, 2])

        var strict = try Fixture.table(
            [Fixture.forced("a"), Fixture.forced("b")], policy: .roundrobin,
            loadBalancing: LoadBalancingConfig(servfailOnNoServer: true, roundRobinServfailOnNoServer: true))
        strict.setDown(backend: 0, now: .zero)
        strict.setDown(backend: 1, now: .zero)
        #expect(pick(&strict, random: &random) == nil)
        #expect(strict.servfailOnNoServer)
    }

    @Test func boundedLoadSkipsOverloadedServers() throws {
        var random = SeededRandom(seed: 3)
        for policy in [ServerPolicy.wrandom, .whashed, .chashed] {
            var table = try Fixture.table(
                [Fixture.forced("a", weight: 100), Fixture.forced("b", weight: 100)], policy: policy,
                loadBalancing: LoadBalancingConfig(weightedBalancingFactor: 1.5, consistentHashingBalancingFactor: 1.5))
            for _ in 0..<10 { table.queryForwarded(backend: 0, now: .zero) }
            // Target per unit of weight = (1 + 10) / 200 · 1.5 = 0.0825 → a may hold 8.25: excluded.
            for index in 0..<200 {
                #expect(pick(&table, "n\(index).example.", random: &random) == 1, "policy \(policy)")
            }
            // Without the factor, a is chosen for some names.
            var plain = try Fixture.table(
                [Fixture.forced("a", weight: 100), Fixture.forced("b", weight: 100)], policy: policy)
            for _ in 0..<10 { plain.queryForwarded(backend: 0, now: .zero) }
            let picks = (0..<200).map { pick(&plain, "n\($0).example.", random: &random)! }
            #expect(picks.contains(0), "policy \(policy)")
        }
    }

    @Test func poolPolicyOverridesTheDefault() throws {
        var random = SeededRandom(seed: 1)
        var table = try Fixture.table(
            [Fixture.forced("a", pools: ["rr"]), Fixture.forced("b", pools: ["rr"])],
            policy: .leastOutstanding, pools: [PoolConfig(name: "rr", policy: .roundrobin)])
        #expect((0..<4).map { _ in pick(&table, pool: "rr", random: &random)! } == [0, 1, 0, 1])
        let index = try #require(table.poolIndex(named: "rr"))
        #expect(table.select(poolIndex: index, query: Fixture.view("x."), random: &random) == 0)
        #expect(table.hasUpBackend(pool: "rr"))
        #expect(!table.hasUpBackend(pool: ""))  // the default pool exists but is empty here
    }
}
