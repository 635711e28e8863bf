import DNSWire
import Determinism
import Testing

@testable import Balancer

@Suite struct RuleActionTests {
    typealias F = RuleFixture

    func run(_ rules: [QueryRuleConfig], _ query: QueryView = RuleFixture.query()) throws -> QueryRuleOutcome {
        var chain = try QueryRuleChain(rules)
        var random = SeededRandom(seed: 1)
        return chain.evaluate(query, random: &random)
    }

    func rule(_ selector: SelectorConfig, _ action: QueryActionConfig) -> QueryRuleConfig {
        QueryRuleConfig(selector: selector, action: action)
    }

    func rule(_ action: QueryActionConfig) -> QueryRuleConfig {
        QueryRuleConfig(selector: .all, action: action)
    }

    @Test func noRulesForwardToTheDefaultPool() throws {
        let outcome = try run([])
        #expect(outcome == QueryRuleOutcome())
        #expect(outcome.verdict == .forward && outcome.pool == "" && outcome.matchedRule == nil)
    }

    @Test func firstTerminalWinsAndNonTerminalsBeforeItApply() throws {
        var chain = try QueryRuleChain([
            rule(.log),
            rule(.qtype(.aaaa), .drop),
            rule(.setSkipCache),
            rule(.rcode(.refused)),
            rule(.drop),
        ])
        var random = SeededRandom(seed: 1)
        let outcome = chain.evaluate(F.query(), random: &random)
        #expect(outcome.verdict == .rcode(.refused, aa: false, ad: false, ra: false))
        #expect(outcome.matchedRule == 3)
        #expect(outcome.logged && outcome.skipCache)
        #expect(chain.hits == [1, 0, 1, 1, 0])
        let aaaa = chain.evaluate(F.query(qtype: .aaaa), random: &random)
        #expect(aaaa.verdict == .drop && aaaa.matchedRule == 1 && !aaaa.skipCache)
        #expect(chain.hits == [2, 1, 1, 1, 0])
        #expect(chain.names == [nil, nil, nil, nil, nil])
    }

    @Test func dropAndAllowStop() throws {
        let drop = try run([rule(.drop), rule(.pool("x"))])
        #expect(drop.verdict == .drop && drop.matchedRule == 0 && drop.pool == "")
        let allow = try run([rule(.allow), rule(.drop)])
        #expect(allow.verdict == .forward && allow.matchedRule == 0)
    }

    @Test func tcOnlyOverUDPOtherwiseProcessingContinues() throws {
        let rules = [rule(.qtype(.any), .tc), rule(.pool("after"))]
        let udp = try run(rules, F.query(qtype: .any))
        #expect(udp.verdict == .truncate && udp.matchedRule == 0)
        for transport in [FrontendProtocol.do53TCP, .dot, .doh] {
            let other = try run(rules, F.query(qtype: .any, transport: transport))
            #expect(other.verdict == .forward, "\(transport)")
            #expect(other.pool == "after" && other.matchedRule == 1)
        }
    }

    @Test func rcodeResolvesUnsetFlagsFromTheQuery() throws {
        let plain = try run([rule(.rcode(.nxDomain))], F.query(flags: [.rd, .ad]))
        #expect(plain.verdict == .rcode(.nxDomain, aa: false, ad: true, ra: false))
        let set = try run([rule(.rcode(.refused, aa: true, ad: false, ra: true))], F.query(flags: [.rd, .ad]))
        #expect(set.verdict == .rcode(.refused, aa: true, ad: false, ra: true))
    }

    @Test func spoofAnswersOnlyFittingQTypes() throws {
        let addresses = [F.address("192.0.2.10"), F.address("2001:db8::10")]
        let rules = [rule(.spoof(addresses, ttl: 30)), rule(.pool("fallthrough"))]
        for qtype in [RRType.a, .aaaa, .any] {
            let outcome = try run(rules, F.query(qtype: qtype))
            #expect(outcome.verdict == .spoof(addresses, ttl: 30) && outcome.matchedRule == 0, "\(qtype)")
        }
        // dnsdist's SpoofAction returns None when no address fits the qtype: processing goes on.
        let mx = try run(rules, F.query(qtype: .mx))
        #expect(mx.verdict == .forward && mx.pool == "fallthrough")
        let v4Only = try run([rule(.spoof([F.address("192.0.2.1")])), rule(.drop)], F.query(qtype: .aaaa))
        #expect(v4Only.verdict == .drop)
        let defaultTTL = try run([rule(.spoof([F.address("192.0.2.1")]))])
        #expect(defaultTTL.verdict == .spoof([F.address("192.0.2.1")], ttl: 60))
    }

    @Test func spoofCNAMEIsTerminalForAnyQType() throws {
        let outcome = try run([rule(.spoofCNAME(F.name("target.example"))), rule(.drop)], F.query(qtype: .mx))
        #expect(outcome.verdict == .spoofCNAME(F.name("target.example"), ttl: 60))
    }

    @Test func poolStopsUnlessToldNotTo() throws {
        let stop = try run([rule(.pool("abuse")), rule(.drop)])
        #expect(stop.verdict == .forward && stop.pool == "abuse" && stop.matchedRule == 0)
        let go = try run([rule(.pool("first", stop: false)), rule(.pool("second", stop: false))])
        #expect(go.verdict == .forward && go.pool == "second" && go.matchedRule == nil)
        let thenDrop = try run([rule(.pool("p", stop: false)), rule(.drop)])
        #expect(thenDrop.verdict == .drop && thenDrop.pool == "p")
    }

    @Test func delayIsNonTerminalAndUDPOnly() throws {
        let rules = [rule(.delay(milliseconds: 100)), rule(.qtype(.a), .delay(milliseconds: 250)), rule(.pool("p"))]
        let udp = try run(rules)
        #expect(udp.delay == .milliseconds(250) && udp.pool == "p" && udp.matchedRule == 2)
        let aaaa = try run(rules, F.query(qtype: .aaaa))
        #expect(aaaa.delay == .milliseconds(100))
        let tcp = try run(rules, F.query(transport: .do53TCP))
        #expect(tcp.delay == nil && tcp.pool == "p")
    }

    @Test func noneAndLogContinue() throws {
        let outcome = try run([rule(.none), rule(.log), rule(.qtype(.mx), .drop)])
        #expect(outcome.verdict == .forward && outcome.logged && outcome.matchedRule == nil)
        let quiet = try run([rule(.qtype(.mx), .log)])
        #expect(!quiet.logged)
    }

    @Test func setSkipCacheSetTagAndNoRecurseContinue() throws {
        let outcome = try run([
            rule(.setSkipCache), rule(.setTag(name: "k", value: "1")), rule(.setTag(name: "k", value: "2")),
            rule(.noRecurse), rule(.allow),
        ])
        #expect(outcome.skipCache && outcome.clearRD && outcome.matchedRule == 4)
        #expect(outcome.tags.entries == [RuleTags.Entry(name: "k", value: "2")])
    }

    @Test func continueRunsEffectsButNeverStops() throws {
        let dropped = try run([rule(.continue(.drop)), rule(.pool("next"))])
        #expect(dropped.verdict == .forward && dropped.pool == "next")
        let pooled = try run([rule(.continue(.pool("c"))), rule(.continue(.continue(.setSkipCache)))])
        #expect(pooled.pool == "c" && pooled.skipCache && pooled.matchedRule == nil)
        let spoofed = try run([rule(.continue(.spoof([F.address("192.0.2.1")]))), rule(.continue(.tc))])
        #expect(spoofed.verdict == .forward)
    }

    @Test func qpsActionDropsOnlyTheExcess() throws {
        // QPS(2): the bucket starts with two tokens; queries 1 ms apart refill almost nothing.
        var chain = try QueryRuleChain([rule(.qps(maxQPS: 2)), rule(.pool("p"))])
        var random = SeededRandom(seed: 1)
        let outcomes = (0..<4).map { step in
            chain.evaluate(F.query(at: F.at(milliseconds: Int64(step))), random: &random)
        }
        #expect(outcomes.map(\.verdict) == [.forward, .forward, .drop, .drop])
        #expect(outcomes.map(\.pool) == ["p", "p", "", ""])
        #expect(outcomes.map(\.matchedRule) == [1, 1, 0, 0])
        // Half a second later one token is back (2/s).
        let later = chain.evaluate(F.query(at: F.at(milliseconds: 503)), random: &random)
        #expect(later.verdict == .forward)
        let again = chain.evaluate(F.query(at: F.at(milliseconds: 504)), random: &random)
        #expect(again.verdict == .drop)
    }

    @Test func qpsPoolRoutesUnderTheLimitOnly() throws {
        var chain = try QueryRuleChain([rule(.qpsPool(maxQPS: 1, pool: "fast")), rule(.pool("slow"))])
        var random = SeededRandom(seed: 1)
        let first = chain.evaluate(F.query(at: F.at(milliseconds: 0)), random: &random)
        let second = chain.evaluate(F.query(at: F.at(milliseconds: 10)), random: &random)
        let third = chain.evaluate(F.query(at: F.at(milliseconds: 1_010)), random: &random)
        #expect(first.pool == "fast" && first.matchedRule == 0)
        #expect(second.pool == "slow" && second.matchedRule == 1)
        #expect(third.pool == "fast")
        var noStop = try QueryRuleChain([rule(.qpsPool(maxQPS: 5, pool: "tagged", stop: false)), rule(.log)])
        let outcome = noStop.evaluate(F.query(), random: &random)
        #expect(outcome.pool == "tagged" && outcome.logged && outcome.matchedRule == nil)
    }
}
