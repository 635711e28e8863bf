import DNSWire
import Determinism
import Testing

@testable import Balancer

/// The qname as the balancer keeps it: in the query's own bytes (read in place by rules, cache
/// and the answer check), or apart when the query compresses it.
@Suite struct QueryViewTests {
    typealias Machine = BalancerMachineTests

    @Test func parsedQnameStaysInTheQueryBytes() throws {
        let name = DNSName("Host.Dyn.Example.")!
        let bytes = Machine.query(name: name)
        let parsed = try #require(ParsedQuery.parse(bytes))
        #expect(parsed.qnameStart == 12 && parsed.qnameWireLength == name.wire.count)
        #expect(parsed.qname.wire == name.wire)  // case kept
        let view = QueryView(client: Machine.address, clientPort: 53, transport: .do53UDP, parsed: parsed,
                             size: bytes.count, arrival: .zero)
        #expect(view.qname.wire == name.wire)
        #expect(view.qnameLabelCount == 3)
        #expect(view.qnameFoldedDigest == name.foldedDigest)
        #expect(view.qnameEquals(DNSName("host.dyn.example.")!))
        #expect(!view.qnameEquals(DNSName("host.dyn.example.org.")!))
    }

    @Test func compressedQnameIsReadApart() throws {
        // The qname is a pointer to offset 4, whose octet (QDCOUNT's high byte, 0) is the root.
        let bytes: [UInt8] = [0x12, 0x34, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xC0, 0x04, 0x00, 0x01, 0x00, 0x01]
        let parsed = try #require(ParsedQuery.parse(bytes))
        #expect(parsed.qname == .root && parsed.qnameStart == 0 && parsed.qnameWireLength == 1)
        #expect(parsed.qtype == .a && parsed.questionEnd == 18)
    }

    @Test func viewBuiltFromANameAndRenamed() {
        var view = QueryView(client: Machine.address, clientPort: 53, transport: .do53UDP, id: 1,
                             qname: DNSName("a.example.")!, qtype: .a, size: 40, arrival: .zero)
        #expect(view.qnameWireLength == 11 && view.qnameLabelCount == 2)
        view.qname = DNSName("b.c.example.")!
        #expect(view.qname == DNSName("B.C.EXAMPLE.")! && view.qnameWireLength == 13 && view.qnameLabelCount == 3)
    }

    @Test func answerWithTheQuestionInAnotherCaseMatches() throws {
        var machine = try BalancerMachine(config: Machine.config(cache: false), seed: 1)
        var actions: [BalancerMachine.Action] = []
        machine.query(Machine.query(name: DNSName("host.dyn.example.")!), from: Machine.client,
                      address: Machine.address, port: 5000, transport: .do53UDP, now: .zero, actions: &actions)
        let (backend, forwarded) = try #require(Machine.forwards(actions).first)
        let answer = Machine.answer(to: Machine.query(id: forwarded.messageID, name: DNSName("HOST.dyn.EXAMPLE.")!))
        actions.removeAll()
        machine.backendResponse(answer, backend: backend, now: .zero, actions: &actions)
        #expect(Machine.responses(actions).count == 1 && machine.stats.unmatchedResponses == 0)
    }

    @Test func mismatchedAnswerLeavesTheQueryWaiting() throws {
        var machine = try BalancerMachine(config: Machine.config(cache: false), seed: 1)
        var actions: [BalancerMachine.Action] = []
        machine.query(Machine.query(), from: Machine.client, address: Machine.address, port: 5000, transport: .do53UDP,
                      now: .zero, actions: &actions)
        let (backend, forwarded) = try #require(Machine.forwards(actions).first)
        actions.removeAll()
        // Another name, a longer name, another type, a truncated question: none matches.
        let wrong = [
            Machine.answer(to: Machine.query(id: forwarded.messageID, name: DNSName("hosT.dyn.examplf.")!)),
            Machine.answer(to: Machine.query(id: forwarded.messageID, name: DNSName("host.dyn.example.org.")!)),
            Machine.answer(to: Machine.query(id: forwarded.messageID, type: .aaaa)),
            Array(Machine.answer(to: forwarded).prefix(12 + Machine.name.wire.count + 2)),
        ]
        for bytes in wrong { machine.backendResponse(bytes, backend: backend, now: .zero, actions: &actions) }
        #expect(actions.isEmpty && machine.stats.unmatchedResponses == 4)
        machine.backendResponse(Machine.answer(to: forwarded), backend: backend, now: .zero, actions: &actions)
        #expect(Machine.responses(actions).first?.messageID == 0x4242)
        // The slot is free again: a repeat matches nothing.
        machine.backendResponse(Machine.answer(to: forwarded), backend: backend, now: .zero, actions: &actions)
        #expect(machine.stats.unmatchedResponses == 5 && machine.stats.responses == 1)
    }
}
