import DNSWire
import Determinism
import Testing

@testable import Balancer

/// Builders shared by the rule tests.
enum RuleFixture {
    static func name(_ text: String) -> DNSName {
        guard let name = DNSName(text) else { preconditionFailure("bad test name \(text)") }
        return name
    }

    static func address(_ text: String) -> IPAddress {
        guard let address = IPAddress(text) else { preconditionFailure("bad test address \(text)") }
        return address
    }

    static func query(
        _ qname: String = "www.example.com", qtype: RRType = .a, qclass: DNSClass = .in, opcode: Opcode = .query,
        client: String = "192.0.2.1", transport: FrontendProtocol = .do53UDP, flags: HeaderFlags = [.rd],
        dnssecOK: Bool = false, size: Int = 40, at instant: Instant = .zero
    ) -> QueryView {
        QueryView(
            client: address(client), clientPort: 40000, transport: transport, id: 7, qname: name(qname),
            qtype: qtype, qclass: qclass, opcode: opcode, flags: flags, dnssecOK: dnssecOK,
            ednsPayloadSize: dnssecOK ? 1232 : nil, size: size, arrival: instant)
    }

    static func at(milliseconds: Int64) -> Instant { .zero + .milliseconds(milliseconds) }

    /// A one-rule chain that drops what `selector` matches.
    static func dropping(_ selector: SelectorConfig) throws -> SelectorProbe {
        SelectorProbe(try QueryRuleChain([QueryRuleConfig(selector: selector, action: .drop)]))
    }
}

/// A chain behind a reference, so that `#expect` can drive it (the macro cannot call a mutating
/// method).
final class SelectorProbe {
    var chain: QueryRuleChain
    var random = SeededRandom(seed: 1)

    init(_ chain: QueryRuleChain) { self.chain = chain }

    var hits: [UInt64] { chain.hits }

    func evaluate(_ query: QueryView) -> QueryRuleOutcome { chain.evaluate(query, random: &random) }

    func matches(_ query: QueryView) -> Bool { evaluate(query).verdict == .drop }
}

@Suite struct RuleSelectorTests {
    typealias F = RuleFixture

    @Test func allMatchesEverything() throws {
        let chain = try F.dropping(.all)
        #expect(chain.matches(F.query()))
        #expect(chain.matches(F.query(".", qtype: .ns, client: "2001:db8::1", transport: .doh)))
        #expect(chain.hits == [2])
    }

    @Test func qnameIsExactAndCaseInsensitive() throws {
        let chain = try F.dropping(.qname([F.name("Www.Example.COM"), F.name("a.test")]))
        #expect(chain.matches(F.query("www.example.com")))
        #expect(chain.matches(F.query("WWW.EXAMPLE.com")))
        #expect(chain.matches(F.query("A.TEST")))
        #expect(!chain.matches(F.query("x.www.example.com")))
        #expect(!chain.matches(F.query("example.com")))
        let empty = try F.dropping(.qname([]))
        #expect(!empty.matches(F.query()))
    }

    @Test func qnameSetLargerThanLinearLimitUsesHashing() throws {
        let names = (0..<50).map { F.name("host\($0).Example.org") }
        let chain = try F.dropping(.qname(names))
        #expect(chain.matches(F.query("HOST17.example.ORG")))
        #expect(chain.matches(F.query("host49.example.org")))
        #expect(!chain.matches(F.query("host50.example.org")))
        #expect(!chain.matches(F.query("x.host1.example.org")))
    }

    @Test func suffixMatchesAtAnyDepthCaseInsensitively() throws {
        let chain = try F.dropping(.qnameSuffix([F.name("Example.COM"), F.name("dyn.test")]))
        #expect(chain.matches(F.query("example.com")))
        #expect(chain.matches(F.query("www.example.com")))
        #expect(chain.matches(F.query("a.b.c.d.e.WWW.EXAMPLE.com")))
        #expect(chain.matches(F.query("HOST.DYN.TEST")))
        #expect(!chain.matches(F.query("badexample.com")))
        #expect(!chain.matches(F.query("example.com.evil")))
        #expect(!chain.matches(F.query("com")))
        #expect(!chain.matches(F.query("test")))
    }

    @Test func suffixWithManyNamesUsesHashing() throws {
        var suffixes = (0..<40).map { F.name("zone\($0).net") }
        suffixes.append(F.name("Deep.Zone3.net"))
        let chain = try F.dropping(.qnameSuffix(suffixes))
        #expect(chain.matches(F.query("zone7.net")))
        #expect(chain.matches(F.query("a.b.c.ZONE39.NET")))
        #expect(chain.matches(F.query("x.deep.zone3.net")))
        #expect(!chain.matches(F.query("zone40.net")))
        #expect(!chain.matches(F.query("net")))
        #expect(!chain.matches(F.query("xzone1.net")))
    }

    @Test func rootSuffixMatchesEveryName() throws {
        let chain = try F.dropping(.qnameSuffix([.root]))
        #expect(chain.matches(F.query(".")))
        #expect(chain.matches(F.query("anything.example")))
    }

    @Test func typeClassAndOpcode() throws {
        let type = try F.dropping(.qtype(.aaaa))
        #expect(type.matches(F.query(qtype: .aaaa)))
        #expect(!type.matches(F.query(qtype: .a)))
        let qclass = try F.dropping(.qclass(.ch))
        #expect(qclass.matches(F.query("version.bind", qtype: .txt, qclass: .ch)))
        #expect(!qclass.matches(F.query(qtype: .txt)))
        let opcode = try F.dropping(.opcode(.notify))
        #expect(opcode.matches(F.query(qtype: .soa, opcode: .notify)))
        #expect(!opcode.matches(F.query(qtype: .soa)))
    }

    @Test func rdAndDNSSECBits() throws {
        let rd = try F.dropping(.rd)
        #expect(rd.matches(F.query(flags: [.rd])))
        #expect(!rd.matches(F.query(flags: [])))
        let dnssec = try F.dropping(.dnssec)
        #expect(dnssec.matches(F.query(dnssecOK: true)))
        #expect(!dnssec.matches(F.query(dnssecOK: false)))
    }

    @Test func regexIsCaseInsensitiveOnNameWithoutTrailingDot() throws {
        let chain = try F.dropping(.regex("^[a-z0-9]{20,}\\.example\\.com$"))
        #expect(chain.matches(F.query("ABCDEFGHIJKLMNOPQRSTUV.example.com")))
        #expect(!chain.matches(F.query("short.example.com")))
        let unanchored = try F.dropping(.regex("tunnel"))
        #expect(unanchored.matches(F.query("x.TUNNEL.example")))
        #expect(!unanchored.matches(F.query("x.example")))
    }

    @Test func invalidRegexIsATypedError() {
        #expect(throws: RuleConfigError.self) {
            _ = try QueryRuleChain([QueryRuleConfig(name: "bad", selector: .regex("(unclosed"), action: .drop)])
        }
        do {
            _ = try QueryRuleChain([
                QueryRuleConfig(selector: .all, action: .none),
                QueryRuleConfig(name: "bad", selector: .and([.all, .regex("[z-a]")]), action: .drop),
            ])
            Issue.record("expected an error")
        } catch {
            #expect(error.rule == 1)
            #expect(error.name == "bad")
            if case .invalidRegex(let pattern, _) = error.reason { #expect(pattern == "[z-a]") } else {
                Issue.record("wrong reason \(error.reason)")
            }
        }
    }

    @Test func netmaskGroupOnSourceAddress() throws {
        let group = NetmaskGroup([Netmask("198.51.100.0/24")!, Netmask("2001:db8:aa::/48")!, Netmask("10.0.0.1")!])
        let chain = try F.dropping(.netmaskGroup(group))
        #expect(chain.matches(F.query(client: "198.51.100.200")))
        #expect(chain.matches(F.query(client: "2001:db8:aa:ffff::1")))
        #expect(chain.matches(F.query(client: "10.0.0.1")))
        #expect(!chain.matches(F.query(client: "10.0.0.2")))
        #expect(!chain.matches(F.query(client: "198.51.101.1")))
        #expect(!chain.matches(F.query(client: "2001:db8:ab::1")))
        let all4 = try F.dropping(.netmaskGroup(NetmaskGroup([Netmask("0.0.0.0/0")!])))
        #expect(all4.matches(F.query(client: "203.0.113.9")))
        #expect(!all4.matches(F.query(client: "::1")))
    }

    @Test func tcpRulePerTransport() throws {
        let tcp = try F.dropping(.tcp(true))
        let udp = try F.dropping(.tcp(false))
        for transport in FrontendProtocol.allCases {
            let query = F.query(transport: transport)
            #expect(tcp.matches(query) == (transport != .do53UDP), "\(transport)")
            #expect(udp.matches(query) == (transport == .do53UDP), "\(transport)")
        }
    }

    @Test func labelsCountMatchesOutsideTheRange() throws {
        // dnsdist: matches when the count is below min or above max.
        let chain = try F.dropping(.qnameLabelsCount(min: 2, max: 4))
        #expect(chain.matches(F.query("com")))
        #expect(!chain.matches(F.query("example.com")))
        #expect(!chain.matches(F.query("a.b.example.com")))
        #expect(chain.matches(F.query("a.b.c.example.com")))
        #expect(chain.matches(F.query(".")))
    }

    @Test func wireLengthMatchesOutsideTheRange() throws {
        let chain = try F.dropping(.qnameWireLength(min: 5, max: 13))
        // "example.com" is 13 octets on the wire; "a.com" is 7; "com" is 5; "." is 1.
        #expect(!chain.matches(F.query("example.com")))
        #expect(!chain.matches(F.query("com")))
        #expect(chain.matches(F.query(".")))
        #expect(chain.matches(F.query("www.example.com")))
    }

    @Test func payloadSizeComparisons() throws {
        let cases: [(PayloadComparison, [Int: Bool])] = [
            (.equal, [99: false, 100: true, 101: false]),
            (.greater, [99: false, 100: false, 101: true]),
            (.greaterOrEqual, [99: false, 100: true, 101: true]),
            (.smaller, [99: true, 100: false, 101: false]),
            (.smallerOrEqual, [99: true, 100: true, 101: false]),
        ]
        for (comparison, expectations) in cases {
            let chain = try F.dropping(.payloadSize(comparison, 100))
            for size in [99, 100, 101] {
                #expect(chain.matches(F.query(size: size)) == expectations[size], "\(comparison) \(size)")
            }
        }
    }

    @Test func probaDrawsFromTheCallersGenerator() throws {
        var never = try QueryRuleChain([QueryRuleConfig(selector: .proba(0), action: .drop)])
        var always = try QueryRuleChain([QueryRuleConfig(selector: .proba(1), action: .drop)])
        var half = try QueryRuleChain([QueryRuleConfig(selector: .proba(0.25), action: .drop)])
        var random = SeededRandom(seed: 42)
        var matched = 0
        var neverMatched = 0
        var alwaysMatched = 0
        let query = F.query()
        for _ in 0..<20_000 {
            if never.evaluate(query, random: &random).verdict == .drop { neverMatched += 1 }
            if always.evaluate(query, random: &random).verdict == .drop { alwaysMatched += 1 }
            if half.evaluate(query, random: &random).verdict == .drop { matched += 1 }
        }
        #expect(neverMatched == 0 && alwaysMatched == 20_000)
        #expect(abs(matched - 5_000) < 300)
        // Same seed, same decisions.
        func run(_ seed: UInt64) throws -> [Bool] {
            var chain = try QueryRuleChain([QueryRuleConfig(selector: .proba(0.5), action: .drop)])
            var random = SeededRandom(seed: seed)
            return (0..<64).map { _ in chain.evaluate(F.query(), random: &random).verdict == .drop }
        }
        #expect(try run(7) == run(7))
        #expect(try run(7) != run(8))
    }

    @Test func tagsSetEarlierAreSeenLater() throws {
        var chain = try QueryRuleChain([
            QueryRuleConfig(selector: .tag(name: "class"), action: .pool("early")),
            QueryRuleConfig(selector: .qnameSuffix([F.name("dyn.test")]), action: .setTag(name: "class", value: "dyn")),
            QueryRuleConfig(selector: .tag(name: "class", value: "static"), action: .drop),
            QueryRuleConfig(selector: .tag(name: "class", value: "dyn"), action: .pool("dynamic")),
        ])
        var random = SeededRandom(seed: 1)
        let tagged = chain.evaluate(F.query("h.dyn.test"), random: &random)
        #expect(tagged.verdict == .forward)
        #expect(tagged.pool == "dynamic")
        #expect(tagged.matchedRule == 3)
        #expect(tagged.tags["class"] == "dyn")
        let plain = chain.evaluate(F.query("www.example.com"), random: &random)
        #expect(plain.pool == "")
        #expect(plain.matchedRule == nil)
        #expect(plain.tags.isEmpty)
        #expect(chain.hits == [0, 1, 0, 1])
    }

    @Test func rcodeSelectorUsesLowBitsOfTheResponse() throws {
        var chain = try ResponseRuleChain([ResponseRuleConfig(selector: .rcode(.nxDomain), action: .drop)])
        var random = SeededRandom(seed: 1)
        let query = F.query()
        let nx = ResponseView(query: query, rcode: .nxDomain, size: 80, sent: .zero)
        let ok = ResponseView(query: query, rcode: .noError, size: 80, sent: .zero)
        // BADVERS (16) has low bits 0: RCodeRule compares the header's four bits only.
        let badvers = ResponseView(query: query, rcode: .badVers, size: 80, sent: .zero)
        let verdicts = [nx, ok, badvers].map { chain.evaluate($0, random: &random).verdict }
        #expect(verdicts == [.drop, .allow, .allow])
        let noError = try F.dropping(.rcode(.noError))
        #expect(noError.matches(F.query()))
    }

    @Test func andOrNotCombine() throws {
        let suffix = SelectorConfig.qnameSuffix([F.name("example.com")])
        let and = try F.dropping(.and([suffix, .qtype(.any)]))
        #expect(and.matches(F.query("x.example.com", qtype: .any)))
        #expect(!and.matches(F.query("x.example.com", qtype: .a)))
        #expect(!and.matches(F.query("x.example.org", qtype: .any)))
        let or = try F.dropping(.or([suffix, .qtype(.any)]))
        #expect(or.matches(F.query("x.example.org", qtype: .any)))
        #expect(or.matches(F.query("x.example.com", qtype: .a)))
        #expect(!or.matches(F.query("x.example.org", qtype: .a)))
        let not = try F.dropping(.not(suffix))
        #expect(not.matches(F.query("x.example.org")))
        #expect(!not.matches(F.query("x.example.com")))
        let nested = try F.dropping(.and([.not(.or([.qtype(.a), .qtype(.aaaa)])), .not(.tcp(true)), suffix]))
        #expect(nested.matches(F.query("example.com", qtype: .txt)))
        #expect(!nested.matches(F.query("example.com", qtype: .aaaa)))
        #expect(!nested.matches(F.query("example.com", qtype: .txt, transport: .dot)))
        let emptyAnd = try F.dropping(.and([]))
        let emptyOr = try F.dropping(.or([]))
        #expect(emptyAnd.matches(F.query()))
        #expect(!emptyOr.matches(F.query()))
    }

    @Test func andShortCircuitsBeforeRateSelectors() throws {
        // The MaxQPS bucket (1 qps, burst 1) sits behind a qtype test: AAAA queries never reach it,
        // so the first A query still finds its token.
        let chain = try F.dropping(.and([.qtype(.a), .maxQPS(qps: 1, burst: 1)]))
        for step in 0..<5 {
            #expect(!chain.matches(F.query(qtype: .aaaa, at: F.at(milliseconds: Int64(step)))))
        }
        #expect(chain.matches(F.query(qtype: .a, at: F.at(milliseconds: 10))))
        #expect(!chain.matches(F.query(qtype: .a, at: F.at(milliseconds: 20))))
    }

    @Test func badConfigurationsAreTypedErrors() {
        let bad: [SelectorConfig] = [
            .proba(1.5), .proba(-0.1), .proba(.nan),
            .maxQPSIP(qps: 10, ipv4Mask: 33), .maxQPSIP(qps: 10, ipv6Mask: 129),
            .maxQPSIP(qps: 10, expiration: .seconds(-1)),
            .qnameLabelsCount(min: -1, max: 3), .qnameWireLength(min: 0, max: -5), .payloadSize(.equal, -1),
            .tag(name: ""), .not(.and([.all, .proba(2)])),
        ]
        for selector in bad {
            #expect(throws: RuleConfigError.self, "\(selector)") { _ = try F.dropping(selector) }
        }
        #expect(throws: RuleConfigError.self) {
            _ = try QueryRuleChain([QueryRuleConfig(selector: .all, action: .rcode(.badVers))])
        }
        #expect(throws: RuleConfigError.self) {
            _ = try QueryRuleChain([QueryRuleConfig(selector: .all, action: .setTag(name: "", value: "x"))])
        }
        #expect(throws: RuleConfigError.self) {
            _ = try ResponseRuleChain([ResponseRuleConfig(selector: .all, action: .setTag(name: "", value: "x"))])
        }
    }
}
