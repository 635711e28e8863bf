// The inspect summary: matching, buckets, tables in a stable order.

import DNSWire
import PcapDecode
import PcapReplay
import Testing

@Suite("Capture summary")
struct CaptureSummaryTests {
    static let client = IPEndpoint(address: IPAddress(ipv4: 0xC000_0201), port: 40000)
    static let server = IPEndpoint(address: IPAddress(ipv4: 0xC000_0235), port: 53)

    static func captured(_ message: Message, at time: UInt64, fromClient: Bool) throws -> CapturedDNSMessage {
        CapturedDNSMessage(
            frameNumber: 1, timestampNanoseconds: time, source: fromClient ? client : server,
            destination: fromClient ? server : client, transport: .udp, wire: try message.wire())
    }

    @Test func matchesResponsesAndBucketsLatency() throws {
        var summary = CaptureSummary()
        let name = DNSName("www.example.org.")!
        let first = Message.query(id: 1, name: name, type: .a)
        let second = Message.query(id: 2, name: DNSName("WWW.example.org.")!, type: .aaaa)
        let third = Message.query(id: 3, name: DNSName("mail.example.org.")!, type: .mx)
        var answer = first.makeResponse()
        answer.rcode = .nxDomain
        try summary.add(Self.captured(first, at: 1_000_000_000, fromClient: true))
        try summary.add(Self.captured(second, at: 1_000_000_000, fromClient: true))
        try summary.add(Self.captured(third, at: 1_000_000_000, fromClient: true))
        try summary.add(Self.captured(answer, at: 1_005_000_000, fromClient: false))
        try summary.add(Self.captured(second.makeResponse(), at: 2_500_000_000, fromClient: false))
        try summary.add(Self.captured(Message.query(id: 9, name: name, type: .a).makeResponse(), at: 3_000_000_000, fromClient: false))
        summary.add(CapturedDNSMessage(
            frameNumber: 9, timestampNanoseconds: 3_000_000_000, source: Self.client, destination: Self.server,
            transport: .tcp, wire: [0, 1, 0, 0, 0, 1]))
        summary.finish()
        #expect(summary.messages == 7)
        #expect(summary.decoded == 6 && summary.malformed == 1)
        #expect(summary.queries == 3 && summary.responses == 3)
        #expect(summary.answeredWithin == [0, 1, 0, 0, 1])
        #expect(summary.unanswered == 1)
        #expect(summary.unmatchedResponses == 1)
        #expect(summary.rcodeTable == [.init(key: "NOERROR", count: 2), .init(key: "NXDOMAIN", count: 1)])
        #expect(summary.qtypeTable.map(\.key) == ["A", "AAAA", "MX"])
        #expect(summary.topNames(1) == [.init(key: "www.example.org.", count: 2)])
        #expect(summary.topClients(5) == [.init(key: "192.0.2.1", count: 3)])
        #expect(summary.udp == 6 && summary.tcp == 1)
    }
}
