// The replay schedule and the verdicts on replayed answers.

import DNSWire
import PcapCapture
import PcapDecode
import PcapReplay
import Testing

@Suite("Replay plan")
struct ReplayPlanTests {
    @Test func capturedQueriesKeepTheirResponsesAndScaledTimes() throws {
        let messages = try CaptureFrames.extractDNS(path: fixtureDirectory.appendingPathComponent("dnscap-frags.pcap").path)
            .messages
        let plan = ReplayPlan(messages: messages)
        #expect(plan.queries.count == 41)
        #expect(plan.leftOut == 41)
        #expect(plan.clients.count == 1)
        #expect(plan.queries.allSatisfy { $0.capturedResponse != nil })
        #expect(plan.queries.first?.offsetNanoseconds == 0)
        #expect(zip(plan.queries, plan.queries.dropFirst()).allSatisfy { $0.offsetNanoseconds <= $1.offsetNanoseconds })
        let twiceAsFast = ReplayPlan(messages: messages, speedPartsPerMillion: 2_000_000)
        #expect(twiceAsFast.spanNanoseconds == plan.spanNanoseconds / 2)
        for query in plan.queries {
            #expect(ReplayVerdict.judge(captured: query.capturedResponse, simulated: query.capturedResponse) == .same)
            #expect(ReplayVerdict.judge(captured: query.capturedResponse, simulated: nil) == .missing)
        }
        #expect(ReplayVerdict.judge(captured: nil, simulated: nil) == nil)
    }

    @Test func verdictsFollowRCodeThenAnswers() throws {
        let name = DNSName("www.example.org.")!
        var captured = Message.query(id: 5, name: name, type: .a).makeResponse()
        captured.answers = [
            ResourceRecord(name: name, ttl: 60, rdata: .a(IPv4Address(192, 0, 2, 1))),
            ResourceRecord(name: name, ttl: 60, rdata: .a(IPv4Address(192, 0, 2, 2))),
        ]
        var reordered = captured
        reordered.answers.reverse()
        reordered.answers[0].ttl = 30
        var other = captured
        other.answers.removeLast()
        var refused = captured
        refused.rcode = .refused
        refused.answers = []
        let wire = try captured.wire()
        #expect(ReplayVerdict.judge(captured: wire, simulated: try reordered.wire()) == .same)
        #expect(ReplayVerdict.judge(captured: wire, simulated: try other.wire()) == .differentAnswers)
        #expect(ReplayVerdict.judge(captured: wire, simulated: try refused.wire()) == .differentRCode)
    }
}
