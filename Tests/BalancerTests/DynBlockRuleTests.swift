import DNSWire
import Determinism
import Testing

@testable import Balancer

// MARK: Helpers shared by the DynBlock*Tests files.

func dbInstant(ms: Int) -> Instant { Instant(nanoseconds: UInt64(ms) * 1_000_000) }
func dbInstant(seconds: Int) -> Instant { dbInstant(ms: seconds * 1000) }

func dbQuery(
    _ client: String, port: UInt16 = 40000, name: String = "www.example.", qtype: RRType = .a,
    transport: FrontendProtocol = .do53UDP, at arrival: Instant
) -> QueryView {
    QueryView(
        client: IPAddress(client)!, clientPort: port, transport: transport, id: 1, qname: DNSName(name)!, qtype: qtype,
        size: 40, arrival: arrival
    )
}

func dbResponse(_ query: QueryView, rcode: RCode = .noError, size: Int = 100, fromCache: Bool = false) -> ResponseView {
    ResponseView(query: query, rcode: rcode, size: size, sent: query.arrival, fromCache: fromCache)
}

/// Records `count` queries (and their responses) spread evenly over `[from, from + span)`.
func dbFeed(
    _ engine: inout DynBlockEngine, _ client: String, port: UInt16 = 40000, count: Int, fromMs: Int,
    spanMs: Int = 1000, name: String = "www.example.", qtype: RRType = .a, rcode: RCode = .noError, size: Int = 100,
    fromCache: Bool = false, responses: Bool = true
) {
    for index in 0..<count {
        let at = dbInstant(ms: fromMs + index * spanMs / max(count, 1))
        let query = dbQuery(client, port: port, name: name, qtype: qtype, at: at)
        engine.recordQuery(query)
        if responses { engine.recordResponse(dbResponse(query, rcode: rcode, size: size, fromCache: fromCache)) }
    }
}

func dbEngine(
    _ rules: [DynBlockRuleConfig], maskIPv4: Int = 32, maskIPv6: Int = 64, maskPort: Int = 0,
    exclude: [String] = [], include: [String] = [], excludeDomains: [String] = [],
    settings: DynBlockSettings = DynBlockSettings(), ringSize: Int = 10000
) throws -> DynBlockEngine {
    let group = DynBlockGroupConfig(
        name: "test", maskIPv4: maskIPv4, maskIPv6: maskIPv6, maskPort: maskPort,
        excludeRanges: NetmaskGroup(exclude.map { Netmask($0)! }), includeRanges: NetmaskGroup(include.map { Netmask($0)! }),
        excludeDomains: excludeDomains.map { DNSName($0)! }, rules: rules
    )
    return try DynBlockEngine(groups: [group], settings: settings, rings: RingBufferConfig(size: ringSize))
}

func dbBlocked(_ engine: inout DynBlockEngine, _ client: String, port: UInt16 = 40000, at: Instant) -> DynBlockAction? {
    engine.check(dbQuery(client, port: port, at: at))?.action
}

// MARK: Rule thresholds.

@Suite struct DynBlockRuleTests {
    let queryRate = DynBlockRuleConfig(kind: .queryRate, seconds: 5, actionDuration: 60, comment: "qps", rate: 10)

    @Test func queryRateFiresOnlyAboveSecondsTimesRate() throws {
        var atLimit = try dbEngine([queryRate])
        dbFeed(&atLimit, "192.0.2.1", count: 50, fromMs: 1000, spanMs: 4000)
        #expect(atLimit.maintenance(now: dbInstant(seconds: 5)).isEmpty)
        #expect(dbBlocked(&atLimit, "192.0.2.1", at: dbInstant(seconds: 5)) == nil)

        var above = try dbEngine([queryRate])
        dbFeed(&above, "192.0.2.1", count: 51, fromMs: 1000, spanMs: 4000)
        let events = above.maintenance(now: dbInstant(seconds: 5))
        #expect(events.count == 1)
        let event = try #require(events.first)
        #expect(event.kind == .inserted && !event.warning && event.action == .drop && event.reason == "qps")
        #expect(event.key == .client(ClientKey(address: IPAddress("192.0.2.1")!)))
        #expect(event.until == dbInstant(seconds: 65) && event.at == dbInstant(seconds: 5) && event.group == "test")
        #expect(dbBlocked(&above, "192.0.2.1", at: dbInstant(seconds: 6)) == .drop)
        #expect(dbBlocked(&above, "192.0.2.2", at: dbInstant(seconds: 6)) == nil)
        #expect(above.counters.blockedQueries == 1 && above.counters.dropped == 1)
        #expect(above.counters.clientEntriesInserted == 1)
    }

    @Test func windowCountsOnlyEntriesSinceNowMinusSeconds() throws {
        // 51 queries, but the first lies 1 ms before the cutoff of now − 5 s.
        var engine = try dbEngine([queryRate])
        engine.recordQuery(dbQuery("192.0.2.1", at: dbInstant(ms: 4999)))
        dbFeed(&engine, "192.0.2.1", count: 50, fromMs: 5000, spanMs: 5000, responses: false)
        #expect(engine.maintenance(now: dbInstant(seconds: 10)).isEmpty)
        // The entry exactly at the cutoff counts.
        engine.recordQuery(dbQuery("192.0.2.1", at: dbInstant(ms: 5000)))
        #expect(engine.maintenance(now: dbInstant(seconds: 10)).count == 1)
    }

    @Test func entriesAfterNowAreIgnored() throws {
        var engine = try dbEngine([queryRate])
        dbFeed(&engine, "192.0.2.1", count: 51, fromMs: 5001, spanMs: 1000, responses: false)
        #expect(engine.maintenance(now: dbInstant(seconds: 5)).isEmpty)
        #expect(engine.maintenance(now: dbInstant(seconds: 7)).count == 1)
    }

    @Test func tooSmallRingNeverFiresRateRule() throws {
        // 100 qps for 10 s against a 5 qps × 10 s rule: a 40-entry ring only ever holds 40.
        let rule = DynBlockRuleConfig(kind: .queryRate, seconds: 10, actionDuration: 60, rate: 5)
        var small = try dbEngine([rule], ringSize: 40)
        var large = try dbEngine([rule], ringSize: 10000)
        var smallEvents: [DynBlockEvent] = []
        var largeEvents: [DynBlockEvent] = []
        for second in 0..<10 {
            dbFeed(&small, "192.0.2.1", count: 100, fromMs: second * 1000)
            dbFeed(&large, "192.0.2.1", count: 100, fromMs: second * 1000)
            smallEvents += small.maintenance(now: dbInstant(seconds: second + 1))
            largeEvents += large.maintenance(now: dbInstant(seconds: second + 1))
        }
        #expect(smallEvents.isEmpty)
        #expect(small.ringCounts.queries == 40)
        #expect(largeEvents.first?.at == dbInstant(seconds: 1))
    }

    @Test func rcodeRateCountsOnlyThatRcode() throws {
        let rule = DynBlockRuleConfig(kind: .rcodeRate(.servFail), seconds: 5, actionDuration: 30, rate: 2)
        var engine = try dbEngine([rule])
        dbFeed(&engine, "192.0.2.1", count: 10, fromMs: 0, spanMs: 4000, rcode: .servFail)
        dbFeed(&engine, "192.0.2.1", count: 100, fromMs: 0, spanMs: 4000, rcode: .nxDomain)
        #expect(engine.maintenance(now: dbInstant(seconds: 4)).isEmpty)
        dbFeed(&engine, "192.0.2.1", count: 1, fromMs: 4000, rcode: .servFail)
        #expect(engine.maintenance(now: dbInstant(seconds: 4)).map(\.kind) == [.inserted])
    }

    @Test func cacheHitsCountTowardRcodeAndByteRates() throws {
        let rule = DynBlockRuleConfig(kind: .rcodeRate(.nxDomain), seconds: 1, actionDuration: 30, rate: 10)
        var engine = try dbEngine([rule])
        dbFeed(&engine, "192.0.2.1", count: 11, fromMs: 0, rcode: .nxDomain, fromCache: true)
        #expect(engine.maintenance(now: dbInstant(seconds: 1)).count == 1)
        #expect(engine.cacheHits == 11 && engine.cacheMisses == 0)
    }

    @Test func rcodeRatioNeedsMinimumResponsesAndStrictlyMoreThanRatio() throws {
        let rule = DynBlockRuleConfig(
            kind: .rcodeRatio(.nxDomain), seconds: 10, actionDuration: 30, ratio: 0.5, minimumNumberOfResponses: 10
        )
        // 9 responses, all NXDOMAIN: below the minimum.
        var few = try dbEngine([rule])
        dbFeed(&few, "192.0.2.1", count: 9, fromMs: 0, rcode: .nxDomain)
        #expect(few.maintenance(now: dbInstant(seconds: 2)).isEmpty)
        // 10 responses, 5 NXDOMAIN: exactly the ratio.
        var exact = try dbEngine([rule])
        dbFeed(&exact, "192.0.2.1", count: 5, fromMs: 0, rcode: .nxDomain)
        dbFeed(&exact, "192.0.2.1", count: 5, fromMs: 0, rcode: .noError)
        #expect(exact.maintenance(now: dbInstant(seconds: 2)).isEmpty)
        // 10 responses, 6 NXDOMAIN.
        var above = try dbEngine([rule])
        dbFeed(&above, "192.0.2.1", count: 6, fromMs: 0, rcode: .nxDomain)
        dbFeed(&above, "192.0.2.1", count: 4, fromMs: 0, rcode: .noError)
        #expect(above.maintenance(now: dbInstant(seconds: 2)).count == 1)
    }

    @Test func qtypeRateCountsOnlyThatType() throws {
        let rule = DynBlockRuleConfig(kind: .qtypeRate(.any), seconds: 10, actionDuration: 30, rate: 1, action: .truncate)
        var engine = try dbEngine([rule])
        dbFeed(&engine, "192.0.2.1", count: 10, fromMs: 0, qtype: .any, responses: false)
        dbFeed(&engine, "192.0.2.1", count: 500, fromMs: 0, qtype: .a, responses: false)
        #expect(engine.maintenance(now: dbInstant(seconds: 2)).isEmpty)
        dbFeed(&engine, "192.0.2.1", count: 1, fromMs: 1500, qtype: .any, responses: false)
        #expect(engine.maintenance(now: dbInstant(seconds: 2)).map(\.action) == [.truncate])
    }

    @Test func responseByteRateSumsSizes() throws {
        let rule = DynBlockRuleConfig(kind: .responseByteRate, seconds: 2, actionDuration: 30, rate: 1000)
        var engine = try dbEngine([rule])
        dbFeed(&engine, "192.0.2.1", count: 20, fromMs: 0, size: 100)
        #expect(engine.maintenance(now: dbInstant(seconds: 2)).isEmpty)
        dbFeed(&engine, "192.0.2.1", count: 1, fromMs: 1500, size: 1)
        #expect(engine.maintenance(now: dbInstant(seconds: 2)).count == 1)
    }

    @Test func cacheMissRatioNeedsGlobalHitRatio() throws {
        func run(minimumGlobal: Double, othersHit: Bool) throws -> [DynBlockEvent] {
            let rule = DynBlockRuleConfig(
                kind: .cacheMissRatio(minimumGlobalCacheHitRatio: minimumGlobal), seconds: 10, actionDuration: 30,
                ratio: 0.5, minimumNumberOfResponses: 4
            )
            var engine = try dbEngine([rule])
            dbFeed(&engine, "192.0.2.1", count: 10, fromMs: 0, name: "rnd.example.")
            dbFeed(&engine, "192.0.2.2", count: 20, fromMs: 0, fromCache: othersHit)
            return engine.maintenance(now: dbInstant(seconds: 2))
        }
        // Global hit ratio 20 / 30 ≈ 0.67: the all-miss client is blocked, the all-hit one is not.
        let events = try run(minimumGlobal: 0.5, othersHit: true)
        #expect(events.map(\.key) == [.client(ClientKey(address: IPAddress("192.0.2.1")!))])
        #expect(try run(minimumGlobal: 0.9, othersHit: true).isEmpty)
        // No cache hits at all: dnsdist never applies the rule.
        #expect(try run(minimumGlobal: 0, othersHit: false).isEmpty)
    }

    @Test func settingsDefaultActionAppliesWhenRuleHasNone() throws {
        var engine = try dbEngine([queryRate], settings: DynBlockSettings(defaultAction: .refused))
        dbFeed(&engine, "192.0.2.1", count: 51, fromMs: 0, responses: false)
        _ = engine.maintenance(now: dbInstant(seconds: 1))
        #expect(dbBlocked(&engine, "192.0.2.1", at: dbInstant(seconds: 2)) == .refused)
        #expect(engine.counters.blocked(.refused) == 1)
    }

    @Test func queryRateBlockEndsEvaluationForTheClient() throws {
        let qps = DynBlockRuleConfig(kind: .queryRate, seconds: 1, actionDuration: 10, comment: "qps", rate: 10)
        let servFails = DynBlockRuleConfig(kind: .rcodeRate(.servFail), seconds: 1, actionDuration: 100, comment: "sf", rate: 1)
        var engine = try dbEngine([servFails, qps])
        dbFeed(&engine, "192.0.2.1", count: 20, fromMs: 0, rcode: .servFail)
        let events = engine.maintenance(now: dbInstant(seconds: 1))
        #expect(events.map(\.reason) == ["qps"])
        #expect(events.first?.until == dbInstant(seconds: 11))
    }

    @Test func familiesAfterTheFirstBlockStillRunAndALongerBlockReplaces() throws {
        let any = DynBlockRuleConfig(kind: .qtypeRate(.any), seconds: 1, actionDuration: 10, comment: "any", rate: 1)
        let servFails = DynBlockRuleConfig(kind: .rcodeRate(.servFail), seconds: 1, actionDuration: 100, comment: "sf", rate: 1)
        var engine = try dbEngine([servFails, any])
        dbFeed(&engine, "192.0.2.1", count: 5, fromMs: 0, qtype: .any, rcode: .servFail)
        let events = engine.maintenance(now: dbInstant(seconds: 1))
        #expect(events.map(\.kind) == [.inserted, .refreshed])
        #expect(events.map(\.reason) == ["any", "sf"])
        #expect(engine.activeBlocks(now: dbInstant(seconds: 1)).map(\.reason) == ["sf"])
    }

    @Test func ratioWarningAndExcludedClientsGetNoWarning() throws {
        let rule = DynBlockRuleConfig(
            kind: .rcodeRatio(.nxDomain), seconds: 10, actionDuration: 30, ratio: 0.8, warningRatio: 0.5,
            minimumNumberOfResponses: 10
        )
        var engine = try dbEngine([rule], exclude: ["198.51.100.0/24"])
        for client in ["192.0.2.1", "198.51.100.1"] {
            dbFeed(&engine, client, count: 6, fromMs: 0, rcode: .nxDomain)
            dbFeed(&engine, client, count: 4, fromMs: 0)
        }
        let events = engine.maintenance(now: dbInstant(seconds: 2))
        #expect(events.map(\.key.description) == ["192.0.2.1/32"])
        #expect(events.first?.warning == true && events.first?.action == .noop)
    }

    @Test func suffixEntriesRefreshOnlyIfLaterAndCarryCounts() throws {
        var engine = try dbEngine([])
        let name = DNSName("victim.dyn.example.")!
        #expect(engine.addSuffixBlock(name, reason: "a", action: .refused, duration: .seconds(10), now: .zero)?.kind == .inserted)
        _ = engine.check(dbQuery("192.0.2.1", name: "x.victim.dyn.example.", at: dbInstant(seconds: 1)))
        #expect(engine.addSuffixBlock(name, reason: "b", duration: .seconds(5), now: dbInstant(seconds: 2)) == nil)
        let later = engine.addSuffixBlock(DNSName("VICTIM.dyn.example.")!, reason: "c", duration: .seconds(20), now: dbInstant(seconds: 2))
        #expect(later?.kind == .refreshed)
        let entries = engine.activeBlocks(now: dbInstant(seconds: 2))
        #expect(entries.count == 1 && entries.first?.blockedQueries == 1 && entries.first?.reason == "c")
        #expect(entries.first?.action == .drop && engine.storedBlockCounts.suffixes == 1)
    }

    @Test func badConfigurationIsATypedError() {
        func attempt(_ rules: [DynBlockRuleConfig], ringSize: Int = 10, maskIPv6: Int = 64) -> DynBlockConfigError? {
            do {
                _ = try dbEngine(rules, maskIPv6: maskIPv6, ringSize: ringSize)
                return nil
            } catch { return error as? DynBlockConfigError }
        }
        #expect(attempt([], ringSize: 0) == .ringSizeNotPositive(0))
        #expect(attempt([], maskIPv6: 129) == .maskOutOfRange(group: "test", field: "mask_ipv6", value: 129))
        let zeroSeconds = DynBlockRuleConfig(kind: .queryRate, seconds: 0, actionDuration: 10, rate: 1)
        #expect(attempt([zeroSeconds]) == .invalidRule(group: "test", rule: 0, problem: "seconds must be positive"))
        let warningAbove = DynBlockRuleConfig(kind: .queryRate, seconds: 1, actionDuration: 10, rate: 5, warningRate: 5)
        #expect(attempt([warningAbove]) != nil)
        let badRatio = DynBlockRuleConfig(kind: .rcodeRatio(.servFail), seconds: 1, actionDuration: 10, ratio: 1.5)
        #expect(attempt([badRatio]) != nil)
        let twice = [queryRate, queryRate]
        #expect(attempt(twice) == .duplicateRule(group: "test", rule: 1, type: "query-rate"))
        let twoRcodes = [
            DynBlockRuleConfig(kind: .rcodeRate(.servFail), seconds: 1, actionDuration: 10, rate: 1),
            DynBlockRuleConfig(kind: .rcodeRate(.nxDomain), seconds: 1, actionDuration: 10, rate: 1),
        ]
        #expect(attempt(twoRcodes) == nil)
        let badVisitor = DynBlockRuleConfig(
            kind: .suffixMatch(SuffixMatchVisitor(minimumLabels: 3, maximumLabels: 2)), seconds: 1, actionDuration: 10
        )
        #expect(attempt([badVisitor]) != nil)
        let rateOnSuffix = DynBlockRuleConfig(kind: .suffixMatch(SuffixMatchVisitor()), seconds: 1, actionDuration: 10, rate: 5)
        #expect(attempt([rateOnSuffix]) != nil)
        let group = DynBlockGroupConfig(name: "a", rules: [])
        #expect(throws: DynBlockConfigError.duplicateGroupName("a")) {
            _ = try DynBlockEngine(groups: [group, group], settings: DynBlockSettings(), rings: RingBufferConfig())
        }
    }
}
