import DNSWire
import Determinism
import Testing

@testable import Balancer

@Suite struct RuleResponseTests {
    typealias F = RuleFixture

    func response(
        rcode: RCode = .noError, transport: FrontendProtocol = .do53UDP, qname: String = "www.example.com",
        size: Int = 120, at instant: Instant = .zero
    ) -> ResponseView {
        ResponseView(
            query: F.query(qname, transport: transport, at: instant), rcode: rcode, size: size, sent: instant,
            backend: 0)
    }

    func run(
        _ rules: [ResponseRuleConfig], _ view: ResponseView, tags: RuleTags = RuleTags()
    ) throws -> ResponseRuleOutcome {
        var chain = try ResponseRuleChain(rules)
        var random = SeededRandom(seed: 1)
        return chain.evaluate(view, tags: tags, random: &random)
    }

    func rule(_ selector: SelectorConfig, _ action: ResponseActionConfig) -> ResponseRuleConfig {
        ResponseRuleConfig(selector: selector, action: action)
    }

    func rule(_ action: ResponseActionConfig) -> ResponseRuleConfig {
        ResponseRuleConfig(selector: .all, action: action)
    }

    @Test func noRulesAllow() throws {
        let outcome = try run([], response())
        #expect(outcome == ResponseRuleOutcome())
    }

    @Test func terminalActionsStop() throws {
        let allow = try run([rule(.allow), rule(.drop)], response())
        #expect(allow.verdict == .allow && allow.matchedRule == 0)
        let drop = try run([rule(.rcode(.servFail), .drop), rule(.servFail)], response(rcode: .servFail))
        #expect(drop.verdict == .drop && drop.matchedRule == 0)
        let servFail = try run([rule(.rcode(.servFail), .drop), rule(.servFail)], response())
        #expect(servFail.verdict == .servFail && servFail.matchedRule == 1)
    }

    @Test func tcOnlyOverUDP() throws {
        let rules = [rule(.payloadSize(.greater, 512), .tc), rule(.log)]
        let udp = try run(rules, response(size: 900))
        #expect(udp.verdict == .truncate && udp.matchedRule == 0 && !udp.logged)
        let small = try run(rules, response(size: 100))
        #expect(small.verdict == .allow && small.logged)
        let tcp = try run(rules, response(transport: .do53TCP, size: 900))
        #expect(tcp.verdict == .allow && tcp.logged && tcp.matchedRule == nil)
    }

    @Test func delayOnlyOverUDPAndNonTerminal() throws {
        let rules = [rule(.delay(milliseconds: 40)), rule(.rcode(.nxDomain), .delay(milliseconds: 500))]
        #expect(try run(rules, response()).delay == .milliseconds(40))
        #expect(try run(rules, response(rcode: .nxDomain)).delay == .milliseconds(500))
        #expect(try run(rules, response(rcode: .nxDomain, transport: .dot)).delay == nil)
    }

    @Test func nonTerminalEffects() throws {
        let outcome = try run(
            [rule(.none), rule(.log), rule(.setSkipCache), rule(.setTag(name: "seen", value: "yes"))], response())
        #expect(outcome.verdict == .allow && outcome.logged && outcome.skipCache && outcome.matchedRule == nil)
        #expect(outcome.tags["seen"] == "yes")
    }

    @Test func queryTagsReachResponseRules() throws {
        var queryChain = try QueryRuleChain([
            QueryRuleConfig(
                selector: .qnameSuffix([F.name("dyn.test")]), action: .setTag(name: "zone", value: "dyn"))
        ])
        var random = SeededRandom(seed: 1)
        let queryOutcome = queryChain.evaluate(F.query("h.dyn.test"), random: &random)
        let rules = [
            rule(.tag(name: "zone", value: "dyn"), .setTag(name: "zone", value: "dyn-answered")),
            rule(.tag(name: "zone", value: "dyn-answered"), .drop),
        ]
        let outcome = try run(rules, response(qname: "h.dyn.test"), tags: queryOutcome.tags)
        #expect(outcome.verdict == .drop && outcome.matchedRule == 1)
        #expect(outcome.tags["zone"] == "dyn-answered")
        let untagged = try run(rules, response())
        #expect(untagged.verdict == .allow)
    }

    @Test func selectorsSeeTheQueryAndTheAnswer() throws {
        var chain = try ResponseRuleChain([
            ResponseRuleConfig(
                name: "nx-from-dyn", selector: .and([.qnameSuffix([F.name("example.com")]), .rcode(.nxDomain)]),
                action: .drop),
            ResponseRuleConfig(selector: .maxQPSIP(qps: 1), action: .servFail),
        ])
        var random = SeededRandom(seed: 1)
        let views = [
            response(rcode: .nxDomain), response(qname: "a.org", at: F.at(milliseconds: 1)),
            response(qname: "a.org", at: F.at(milliseconds: 2)),
        ]
        let verdicts = views.map { chain.evaluate($0, random: &random).verdict }
        #expect(verdicts == [.drop, .allow, .servFail])
        #expect(chain.hits == [1, 1])
        #expect(chain.names == ["nx-from-dyn", nil])
    }
}
