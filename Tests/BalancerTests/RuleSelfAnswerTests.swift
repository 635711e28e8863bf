import DNSWire
import Determinism
import Testing

@testable import Balancer

@Suite struct RuleSelfAnswerTests {
    typealias F = RuleFixture

    func queryWire(
        _ qname: String = "www.example.com", type: RRType = .a, flags: HeaderFlags = [.rd], edns: EDNS? = nil
    ) throws -> [UInt8] {
        var message = Message.query(id: 0xBEEF, name: F.name(qname), type: type, edns: edns)
        message.flags = flags
        return try message.wire()
    }

    func answer(_ query: [UInt8], _ verdict: QueryVerdict) throws -> Message {
        let bytes = try #require(SelfAnswer.response(to: query, verdict: verdict))
        let message = try Message(wire: bytes)
        #expect(message.id == 0xBEEF)
        #expect(message.flags.contains(.qr))
        #expect(message.questions == (try Message(wire: query)).questions)
        return message
    }

    @Test func forwardAndDropHaveNoAnswer() throws {
        let query = try queryWire()
        #expect(SelfAnswer.response(to: query, verdict: .drop) == nil)
        #expect(SelfAnswer.response(to: query, verdict: .forward) == nil)
        #expect(SelfAnswer.response(to: [1, 2, 3], verdict: .truncate) == nil)
        #expect(!QueryVerdict.drop.isSelfAnswer && QueryVerdict.truncate.isSelfAnswer)
    }

    @Test func truncatedAnswerIsHeaderAndQuestion() throws {
        let query = try queryWire(type: .any, flags: [.rd, .ad, .cd], edns: EDNS(dnssecOK: true))
        let message = try answer(query, .truncate)
        #expect(message.flags == [.qr, .tc, .rd, .ra, .cd])
        #expect(message.rcode == .noError)
        #expect(message.answers.isEmpty && message.authority.isEmpty && message.additional.isEmpty)
        #expect(message.edns == nil)
        let noRD = try answer(try queryWire(flags: []), .truncate)
        #expect(noRD.flags == [.qr, .tc])
    }

    @Test func rcodeAnswerCarriesFlagsAndEDNS() throws {
        let query = try queryWire(edns: EDNS(udpPayloadSize: 4096, dnssecOK: true))
        let message = try answer(query, .rcode(.refused, aa: true, ad: false, ra: true))
        #expect(message.rcode == .refused)
        #expect(message.flags == [.qr, .aa, .rd, .ra])
        #expect(message.answers.isEmpty)
        #expect(message.edns?.udpPayloadSize == 1232)
        #expect(message.edns?.dnssecOK == true)
        let plain = try answer(try queryWire(), .rcode(.nxDomain, aa: false, ad: false, ra: false))
        #expect(plain.rcode == .nxDomain && plain.flags == [.qr, .rd] && plain.edns == nil)
    }

    @Test func spoofAnswersByQType() throws {
        let addresses = [F.address("192.0.2.1"), F.address("2001:db8::1"), F.address("192.0.2.2")]
        let verdict = QueryVerdict.spoof(addresses, ttl: 30)
        let a = try answer(try queryWire(type: .a), verdict)
        #expect(a.rcode == .noError)
        #expect(a.answers.map(\.rdata) == [.a(IPv4Address(192, 0, 2, 1)), .a(IPv4Address(192, 0, 2, 2))])
        #expect(a.answers.allSatisfy { $0.ttl == 30 && $0.name == F.name("www.example.com") && $0.class == .in })
        let aaaa = try answer(try queryWire(type: .aaaa), verdict)
        #expect(aaaa.answers.map(\.rdata) == [.aaaa(IPv6Address(high: 0x2001_0db8_0000_0000, low: 1))])
        let any = try answer(try queryWire(type: .any), verdict)
        #expect(any.answers.count == 3)
        let mx = try answer(try queryWire(type: .mx), verdict)
        #expect(mx.rcode == .noError && mx.answers.isEmpty)
        #expect(a.flags == [.qr, .rd])
    }

    @Test func spoofKeepsQueryHeaderBitsAndEchoesEDNS() throws {
        let query = try queryWire(flags: [.rd, .ad], edns: EDNS(udpPayloadSize: 512, dnssecOK: false))
        let message = try answer(query, .spoof([F.address("192.0.2.9")], ttl: 60))
        #expect(message.flags == [.qr, .rd, .ad])
        #expect(message.edns?.udpPayloadSize == 1232 && message.edns?.dnssecOK == false)
    }

    @Test func spoofCNAMEAnswersOneCNAME() throws {
        let message = try answer(try queryWire("Alias.Example.COM", type: .mx), .spoofCNAME(F.name("target.example.net"), ttl: 120))
        #expect(message.rcode == .noError)
        #expect(message.answers.count == 1)
        let record = try #require(message.answers.first)
        #expect(record.rdata == .cname(F.name("target.example.net")))
        #expect(record.ttl == 120)
        #expect(record.name.isIdentical(to: F.name("Alias.Example.COM")))
    }

    @Test func chainVerdictsRoundTripThroughSelfAnswer() throws {
        var chain = try QueryRuleChain([
            QueryRuleConfig(selector: .qtype(.any), action: .tc),
            QueryRuleConfig(selector: .qnameSuffix([F.name("blocked.test")]), action: .rcode(.nxDomain)),
            QueryRuleConfig(selector: .qname([F.name("sink.test")]), action: .spoof([F.address("192.0.2.53")])),
        ])
        var random = SeededRandom(seed: 1)
        let sink = chain.evaluate(F.query("sink.test"), random: &random)
        let bytes = try #require(SelfAnswer.response(to: try queryWire("sink.test"), verdict: sink.verdict))
        let message = try Message(wire: bytes)
        #expect(message.answers.map(\.rdata) == [.a(IPv4Address(192, 0, 2, 53))])
        #expect(message.answers.first?.ttl == 60)
        let blocked = chain.evaluate(F.query("x.blocked.test"), random: &random)
        let nx = try Message(wire: try #require(SelfAnswer.response(to: try queryWire("x.blocked.test"), verdict: blocked.verdict)))
        #expect(nx.rcode == .nxDomain && nx.flags == [.qr, .rd])
    }
}
