import DNSWire
import DNSZone
import Determinism
import Nameserver
import Testing

/// AXFR encoding and receiving (RFC 5936).
@Suite struct RFC5936_AXFRTests {
    /// A zone with enough records to need several messages.
    static func bigZone(serial: UInt32 = 1, hosts: Int = 300) -> Zone {
        exampleZone(serial: serial, extra: (0..<hosts).map { "host\($0) A 198.51.100.\($0 % 250)" })
    }

    static func axfr(_ zone: Zone, limits: TransferMessageLimits = TransferMessageLimits()) -> TransferAnswer {
        ZoneTransferResponder.answer(transferQuery(.axfr), zone: zone, journal: nil, policy: TransferPolicy(limits: limits))
    }

    /// §2.2: the SOA first and last, every record in between; §2.2.1: the question in the first message.
    @Test func soaOpensAndClosesTheTransfer() throws {
        let zone = exampleZone(serial: 42)
        let answer = Self.axfr(zone)
        #expect(answer.style == .axfr && answer.messages.count == 1)
        let all = answer.messages.flatMap(\.answers)
        #expect(all.first == zone.soaRRset?.records.first && all.last == all.first)
        #expect(all.dropFirst().dropLast().map(\.description).sorted()
                == zone.records.filter { $0.type != .soa }.map(\.description).sorted())
        let first = answer.messages[0]
        #expect(first.id == 7 && first.flags.contains(.qr) && first.flags.contains(.aa))
        #expect(first.questions == [Question(name: origin, type: .axfr)])
        #expect(answer.recordCount == zone.recordCount + 1)
    }

    /// STYLE.md §5: records and octets per message are bounded; only the first carries the question.
    @Test(arguments: [(50, 16_384), (500, 1_024), (1, 512)])
    func messagesStayWithinTheirBounds(recordsMax: Int, bytesMax: Int) throws {
        let zone = Self.bigZone()
        let limits = TransferMessageLimits(recordsPerMessageMax: recordsMax, bytesPerMessageMax: bytesMax)
        let answer = Self.axfr(zone, limits: limits)
        #expect(answer.messages.count > 1)
        for (index, message) in answer.messages.enumerated() {
            #expect(message.answers.count <= recordsMax && !message.answers.isEmpty)
            #expect(try message.wire().count <= bytesMax)
            #expect(message.questions.isEmpty == (index > 0))
            #expect(message.id == 7)
        }
        #expect(answer.messages.flatMap(\.answers).count == zone.recordCount + 1)
    }

    /// The receiver rebuilds the same zone however the records are split into messages.
    @Test(arguments: [1, 2, 7, 100, 10_000])
    func receiverRebuildsTheZoneFromAnySplit(recordsPerMessage: Int) throws {
        let zone = Self.bigZone(serial: 9)
        let all = Self.axfr(zone).messages.flatMap(\.answers)
        var receiver = ZoneTransferReceiver(origin: origin, queryID: 7, request: .axfr)
        var result: ZoneTransferResult?
        var start = 0
        while start < all.count {
            let chunk = Array(all[start..<min(all.count, start + recordsPerMessage)])
            let message = Message(id: 7, flags: [.qr, .aa], answers: chunk)
            #expect(result == nil, "finished before the closing SOA")
            result = try receiver.receive(try message.wire())
            start += recordsPerMessage
        }
        guard case .wholeZone(let received, .axfr)? = result else {
            Issue.record("expected a whole zone, got \(String(describing: result))")
            return
        }
        #expect(received == zone)
        #expect(try receiver.finish() == result)
    }

    @Test func receiverReportsAStreamThatEndsEarly() throws {
        let all = Self.axfr(Self.bigZone()).messages.flatMap(\.answers)
        var receiver = ZoneTransferReceiver(origin: origin, queryID: 7, request: .axfr)
        #expect(try receiver.receive(Message(id: 7, flags: .qr, answers: Array(all.dropLast()))) == nil)
        #expect(throws: ZoneTransferError.incomplete(recordsReceived: all.count - 1)) { try receiver.finish() }
    }

    @Test func receiverRejectsMalformedTransfers() throws {
        let zone = exampleZone(serial: 3)
        let all = Self.axfr(zone).messages.flatMap(\.answers)
        let soa = all[0]
        let www = records(["www A 192.0.2.10"])[0]
        func feed(_ messages: [Message]) throws(ZoneTransferError) {
            var receiver = ZoneTransferReceiver(origin: origin, queryID: 7, request: .axfr)
            for message in messages { _ = try receiver.receive(message) }
        }
        #expect(throws: ZoneTransferError.idMismatch(expected: 7, received: 8)) {
            try feed([Message(id: 8, flags: .qr, answers: all)])
        }
        #expect(throws: ZoneTransferError.notAResponse) { try feed([Message(id: 7, answers: all)]) }
        #expect(throws: ZoneTransferError.rcode(.refused)) { try feed([Message(id: 7, flags: .qr, rcode: .refused)]) }
        #expect(throws: ZoneTransferError.firstRecordNotSOA(www)) { try feed([Message(id: 7, flags: .qr, answers: [www, soa])]) }
        #expect(throws: ZoneTransferError.firstRecordNotSOA(nil)) { try feed([Message(id: 7, flags: .qr)]) }
        #expect(throws: ZoneTransferError.recordsAfterEnd(count: 1)) {
            try feed([Message(id: 7, flags: .qr, answers: all + [www])])
        }
        #expect(throws: ZoneTransferError.chainBroken(expected: SerialNumber(3), found: SerialNumber(4))) {
            try feed([Message(id: 7, flags: .qr, answers: [soa, www, soaRecord(serial: 4)])])
        }
        let outside = ResourceRecord(name: name("www.example.net."), ttl: 60, rdata: .a(IPv4Address(1)))
        #expect(throws: ZoneTransferError.recordOutOfZone(outside)) {
            try feed([Message(id: 7, flags: .qr, answers: [soa, outside, soa])])
        }
        let wrongQuestion = Message(id: 7, flags: .qr, questions: [Question(name: name("example.net."), type: .axfr)], answers: all)
        #expect(throws: ZoneTransferError.questionMismatch(Question(name: name("example.net."), type: .axfr))) {
            try feed([wrongQuestion])
        }
        var receiver = ZoneTransferReceiver(origin: origin, queryID: 7, request: .axfr)
        #expect(throws: ZoneTransferError.self) { try receiver.receive([0, 7, 0x80]) }
    }

    @Test func receiverEnforcesItsLimits() throws {
        let all = Self.axfr(Self.bigZone()).messages.flatMap(\.answers)
        var receiver = ZoneTransferReceiver(origin: origin, queryID: 7, request: .axfr,
                                            limits: TransferReceiveLimits(recordCountMax: 100))
        #expect(throws: ZoneTransferError.tooLarge(records: 101, bytes: 0)) {
            try receiver.receive(Message(id: 7, flags: .qr, answers: all))
        }
    }

    /// The primary answers AXFR over TCP with the whole zone; over UDP it is refused (§4.2).
    @Test func primaryServesAXFROverTCPOnly() throws {
        let zone = Self.bigZone(serial: 5)
        var primary = Primary(zones: try ZoneSet([zone]), config: PrimaryConfig(secondaries: []), random: SeededRandom(seed: 3))
        let request = try Message.query(id: 99, name: origin, type: .axfr).wire()
        let actions = primary.handle(.tcpReceived(request, on: .accepted(1)), now: .zero)
        var receiver = ZoneTransferReceiver(origin: origin, queryID: 99, request: .axfr)
        var result: ZoneTransferResult?
        for case .sendTCP(let bytes, .accepted(1)) in actions { result = try receiver.receive(bytes) }
        #expect(result == .wholeZone(zone, style: .axfr))
        #expect(traces(actions).contains {
            if case .transferServed(_, .axfr, .axfr, .noError, zone.recordCount + 1, _) = $0 { return true }
            return false
        })
        let overUDP = primary.handle(.datagramReceived(request, from: .client(1)), now: .zero)
        #expect(udpSent(overUDP, to: .client(1)).map(\.rcode) == [.refused])
        let notOurs = try Message.query(id: 5, name: name("example.net."), type: .axfr).wire()
        let refused = primary.handle(.tcpReceived(notOurs, on: .accepted(2)), now: .zero)
        guard case .sendTCP(let bytes, _)? = refused.first else {
            Issue.record("no answer")
            return
        }
        #expect(decode(bytes).rcode == .refused || decode(bytes).rcode == .notAuth)
    }
}
