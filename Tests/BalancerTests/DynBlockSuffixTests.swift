import DNSWire
import Determinism
import Testing

@testable import Balancer

/// Random-subdomain (water torture / PRSD) attacks against a DynDNS provider zone.
@Suite struct DynBlockSuffixTests {
    static let prsd = SuffixMatchVisitor(
        minimumLabels: 2, maximumLabels: 4, minimumQueryRate: 50, minimumDistinctChildren: 50, failureRatio: 0.8,
        maximumCacheHitRatio: 0.2, maximumQueriesPerChild: 2
    )

    static func suffixRule(_ visitor: SuffixMatchVisitor, seconds: Int = 10) -> DynBlockRuleConfig {
        DynBlockRuleConfig(
            kind: .suffixMatch(visitor), seconds: seconds, actionDuration: 60, comment: "PRSD", action: .refused
        )
    }

    struct Outcome {
        var events: [DynBlockEvent] = []
        var legitimate = 0
        var legitimateBlocked = 0
        var attack = 0
        var attackBlocked = 0
        var attackPassedAfterFirstBlock = 0
    }

    /// A balancer loop: check, record the query, answer (REFUSED when blocked, else what the
    /// backend says), record the answer; maintenance at the end of every second.
    /// Legitimate: 100 qps from 50 clients over `other.dyn.example.`, 60 customer zones and the
    /// provider apex, all NOERROR. Attack from `attackStart`: 500 qps of unique labels under
    /// `victim.dyn.example.` from 200 resolvers (2.5 qps each), all NXDOMAIN.
    static func run(engine: inout DynBlockEngine, seconds: Int = 30, attackStart: Int = 10) -> Outcome {
        var outcome = Outcome()
        var firstBlock: Instant?
        let legitNames = ["www.other.dyn.example.", "other.dyn.example.", "mail.other.dyn.example.", "dyn.example."]
            + (0..<60).map { "host.c\($0).dyn.example." }
        var serial = 0
        for second in 0..<seconds {
            var batch: [(Instant, QueryView, Bool)] = []
            for index in 0..<100 {
                let at = dbInstant(ms: second * 1000 + index * 10)
                let name = legitNames[(second * 100 + index) % legitNames.count]
                batch.append((at, dbQuery("192.0.2.\(index % 50 + 1)", name: name, at: at), false))
            }
            if second >= attackStart {
                for index in 0..<500 {
                    serial += 1
                    let at = dbInstant(ms: second * 1000 + index * 2 + 1)
                    let resolver = "10.9.\(index % 200 / 100).\(index % 100 + 1)"
                    let name = "r\(serial)x\(serial &* 2_654_435_761 % 100_000).victim.dyn.example."
                    batch.append((at, dbQuery(resolver, name: name, at: at), true))
                }
            }
            batch.sort { $0.0 < $1.0 }
            for (_, query, isAttack) in batch {
                let decision = engine.check(query)
                engine.recordQuery(query)
                if isAttack {
                    outcome.attack += 1
                    if decision != nil { outcome.attackBlocked += 1 }
                    if decision == nil, let firstBlock, query.arrival >= firstBlock { outcome.attackPassedAfterFirstBlock += 1 }
                } else {
                    outcome.legitimate += 1
                    if decision != nil { outcome.legitimateBlocked += 1 }
                }
                if let decision {
                    if decision.action != .drop {
                        engine.recordResponse(
                            ResponseView(query: query, rcode: .refused, size: 40, sent: query.arrival, selfAnswered: true)
                        )
                    }
                } else {
                    engine.recordResponse(dbResponse(query, rcode: isAttack ? .nxDomain : .noError, size: isAttack ? 90 : 120))
                }
            }
            let events = engine.maintenance(now: dbInstant(seconds: second + 1))
            if firstBlock == nil, events.contains(where: { $0.kind == .inserted && !$0.warning }) {
                firstBlock = dbInstant(seconds: second + 1)
            }
            outcome.events += events
        }
        return outcome
    }

    @Test func randomSubdomainAttackBlocksOnlyTheVictimZone() throws {
        let perClient = DynBlockRuleConfig(kind: .queryRate, seconds: 10, actionDuration: 60, comment: "qps", rate: 50)
        let group = DynBlockGroupConfig(name: "prsd", rules: [perClient, Self.suffixRule(Self.prsd)])
        var engine = try DynBlockEngine(groups: [group], settings: DynBlockSettings(), rings: RingBufferConfig())
        let outcome = Self.run(engine: &engine)

        let victim = DynBlockKey.suffix(DNSName("victim.dyn.example.")!)
        let inserted = try #require(outcome.events.first { $0.kind == .inserted })
        #expect(inserted.key == victim && inserted.action == .refused && inserted.reason == "PRSD")
        // Attack starts at 10 s; the rule needs > 500 victim answers in its window: inserted at 12 s,
        // well within window (10 s) + one maintenance interval.
        #expect(inserted.at == dbInstant(seconds: 12))
        #expect(inserted.at <= dbInstant(seconds: 10 + 10 + 1))
        // Only the victim zone, never the provider zone, a sibling, or a resolver.
        #expect(outcome.events.allSatisfy { $0.key == victim })
        #expect(outcome.legitimate == 3000 && outcome.legitimateBlocked == 0)
        #expect(outcome.attackPassedAfterFirstBlock == 0)
        #expect(outcome.attackBlocked == outcome.attack - 1000)
        #expect(engine.counters.suffixEntriesInserted == 1 && engine.counters.clientEntriesInserted == 0)
        #expect(engine.activeBlocks(now: dbInstant(seconds: 30)).map(\.key) == [victim])
        #expect(engine.check(dbQuery("192.0.2.1", name: "victim.dyn.example.", at: dbInstant(seconds: 30)))?.action == .refused)
        #expect(engine.check(dbQuery("192.0.2.1", name: "www.other.dyn.example.", at: dbInstant(seconds: 30))) == nil)
        #expect(engine.check(dbQuery("192.0.2.1", name: "dyn.example.", at: dbInstant(seconds: 30))) == nil)
    }

    @Test func runsAreDeterministic() throws {
        func once() throws -> [DynBlockEvent] {
            let group = DynBlockGroupConfig(name: "prsd", rules: [Self.suffixRule(Self.prsd)])
            var engine = try DynBlockEngine(groups: [group], settings: DynBlockSettings(), rings: RingBufferConfig())
            return Self.run(engine: &engine, seconds: 16).events
        }
        let first = try once()
        #expect(!first.isEmpty)
        #expect(try once() == first)
    }

    /// Ten seconds of attack and legitimate traffic, then one maintenance: both the provider zone
    /// (62 children, failure ratio ≈ 0.83) and the victim zone pass a visitor without the
    /// queries-per-child test.
    static func selectionEngine(_ visitor: SuffixMatchVisitor, excludeDomains: [String] = []) throws -> DynBlockEngine {
        var engine = try dbEngine([suffixRule(visitor)], excludeDomains: excludeDomains)
        for second in 0..<10 {
            dbFeed(&engine, "192.0.2.1", count: 40, fromMs: second * 1000, name: "www.other.dyn.example.")
            for customer in 0..<60 {
                dbFeed(&engine, "192.0.2.2", count: 1, fromMs: second * 1000 + customer, name: "c\(customer).dyn.example.")
            }
            for index in 0..<500 {
                dbFeed(
                    &engine, "10.9.0.\(index % 200 + 1)", count: 1, fromMs: second * 1000 + index,
                    name: "r\(second)y\(index).Victim.dyn.example.", rcode: .nxDomain
                )
            }
        }
        return engine
    }

    @Test func deepestSelectionBlocksTheVictimNotTheProviderZone() throws {
        var visitor = Self.prsd
        visitor.maximumQueriesPerChild = nil
        var deepest = try Self.selectionEngine(visitor)
        #expect(deepest.maintenance(now: dbInstant(seconds: 10)).map(\.key.description) == ["victim.dyn.example."])

        visitor.selection = .shallowest
        var shallowest = try Self.selectionEngine(visitor)
        #expect(shallowest.maintenance(now: dbInstant(seconds: 10)).map(\.key.description) == ["dyn.example."])

        // Starting at the customer level makes the provider zone unblockable whatever the selection.
        visitor.minimumLabels = 3
        var floored = try Self.selectionEngine(visitor)
        #expect(floored.maintenance(now: dbInstant(seconds: 10)).map(\.key.description) == ["victim.dyn.example."])

        // With the queries-per-child test the provider zone fails even under `.shallowest`.
        var perChild = Self.prsd
        perChild.selection = .shallowest
        var guarded = try Self.selectionEngine(perChild)
        #expect(guarded.maintenance(now: dbInstant(seconds: 10)).map(\.key.description) == ["victim.dyn.example."])
    }

    @Test func thresholdsAreEachRequired() throws {
        func blocks(_ change: (inout SuffixMatchVisitor) -> Void) throws -> Bool {
            var visitor = Self.prsd
            change(&visitor)
            var engine = try Self.selectionEngine(visitor)
            return !engine.maintenance(now: dbInstant(seconds: 10)).isEmpty
        }
        #expect(try blocks { _ in })
        // 5000 victim answers in 10 s: > 499 qps passes, > 500 qps does not.
        #expect(try blocks { $0.minimumQueryRate = 499.9 })
        #expect(try !blocks { $0.minimumQueryRate = 500 })
        #expect(try blocks { $0.minimumDistinctChildren = 5000 })
        #expect(try !blocks { $0.minimumDistinctChildren = 5001 })
        #expect(try blocks { $0.failureRatio = 1.0 })
        #expect(try !blocks { $0.maximumQueriesPerChild = 0.5 })
    }

    @Test func cacheHitsAndExcludedDomainsPreventBlocks() throws {
        var engine = try dbEngine([Self.suffixRule(Self.prsd)], excludeDomains: ["victim.dyn.example."])
        for index in 0..<1000 {
            dbFeed(&engine, "10.9.0.1", count: 1, fromMs: index, name: "r\(index).victim.dyn.example.", rcode: .nxDomain)
        }
        #expect(engine.maintenance(now: dbInstant(seconds: 2)).isEmpty)

        var cached = try dbEngine([Self.suffixRule(Self.prsd)])
        for index in 0..<1000 {
            dbFeed(
                &cached, "10.9.0.1", count: 1, fromMs: index, name: "r\(index).victim.dyn.example.", rcode: .nxDomain,
                fromCache: index % 4 == 0
            )
        }
        #expect(cached.maintenance(now: dbInstant(seconds: 2)).isEmpty)
    }

    @Test func suffixWindowLimitsWhatIsCounted() throws {
        var engine = try dbEngine([Self.suffixRule(Self.prsd, seconds: 2)])
        for index in 0..<1000 {
            dbFeed(&engine, "10.9.0.1", count: 1, fromMs: index, name: "r\(index).victim.dyn.example.", rcode: .nxDomain)
        }
        // 1000 answers are needed above 50 qps × 2 s = 100, so this fires; four seconds later
        // nothing is left in the window and nothing fires again.
        #expect(engine.maintenance(now: dbInstant(seconds: 1)).count == 1)
        #expect(engine.maintenance(now: dbInstant(seconds: 5)).isEmpty)
    }
}
