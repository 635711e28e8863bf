import DNSWire
import DNSZone
import Determinism
import Nameserver
import Testing

/// IXFR encoding and receiving (RFC 1995).
@Suite struct RFC1995_IXFRTests {
    /// Versions 1 ... 4 of the zone and a journal holding the three diffs between them.
    static func history() throws -> (versions: [Zone], journal: ZoneJournal) {
        var versions = [exampleZone(serial: 1)]
        versions.append(changed(versions[0], add: ["home A 198.51.100.1"]))
        versions.append(changed(versions[1], add: ["home A 198.51.100.2"], remove: ["home A 198.51.100.1"]))
        versions.append(changed(versions[2], add: ["office A 198.51.100.9"], remove: ["www A 192.0.2.10"]))
        var journal = ZoneJournal(origin: origin)
        for index in 1..<versions.count { _ = journal.append(try ZoneDiff(from: versions[index - 1], to: versions[index])) }
        return (versions, journal)
    }

    static func lines(_ answer: TransferAnswer) -> [String] {
        answer.messages.flatMap(\.answers).map {
            if let serial = serialOf($0) { return "SOA \(serial)" }
            return $0.description
        }
    }

    static func serialOf(_ record: ResourceRecord) -> UInt32? {
        if case .soa(let soa) = record.rdata { return soa.serial }
        return nil
    }

    /// §2: a client at the current serial (or claiming a newer one) gets the SOA alone.
    @Test(arguments: [UInt32(4), 9])
    func currentClientGetsTheSOAAlone(clientSerial: UInt32) throws {
        let (versions, journal) = try Self.history()
        let answer = ZoneTransferResponder.answer(transferQuery(.ixfr, serial: clientSerial), zone: versions[3],
                                                  journal: journal, policy: TransferPolicy())
        #expect(answer.style == .upToDate && Self.lines(answer) == ["SOA 4"])
        #expect(answer.messages[0].questions == [Question(name: origin, type: .ixfr)])
    }

    /// §4: SOA(new) SOA(old) removed… SOA(new) added… SOA(new), condensed (§5) by default.
    @Test func condensedIncrementalAnswer() throws {
        let (versions, journal) = try Self.history()
        let answer = ZoneTransferResponder.answer(transferQuery(.ixfr, serial: 1), zone: versions[3], journal: journal,
                                                  policy: TransferPolicy())
        #expect(answer.style == .ixfrIncremental)
        #expect(Self.lines(answer) == [
            "SOA 4", "SOA 1", "www.example.org. 300 IN A 192.0.2.10",
            "SOA 4", "home.example.org. 300 IN A 198.51.100.2", "office.example.org. 300 IN A 198.51.100.9", "SOA 4",
        ])
    }

    @Test func uncondensedAnswerCarriesOneSequencePerVersion() throws {
        let (versions, journal) = try Self.history()
        let answer = ZoneTransferResponder.answer(transferQuery(.ixfr, serial: 2), zone: versions[3], journal: journal,
                                                  policy: TransferPolicy(condense: false))
        #expect(Self.lines(answer) == [
            "SOA 4",
            "SOA 2", "home.example.org. 300 IN A 198.51.100.1", "SOA 3", "home.example.org. 300 IN A 198.51.100.2",
            "SOA 3", "www.example.org. 300 IN A 192.0.2.10", "SOA 4", "office.example.org. 300 IN A 198.51.100.9",
            "SOA 4",
        ])
        var receiver = ZoneTransferReceiver(origin: origin, queryID: 7, request: .ixfr(from: SerialNumber(2)))
        guard case .incremental(let diffs)? = try receiver.receive(try answer.messages[0].wire()) else {
            Issue.record("expected diffs")
            return
        }
        #expect(diffs.map(\.newSerial.rawValue) == [3, 4])
        var copy = versions[1]
        for diff in diffs { try diff.apply(to: &copy) }
        #expect(text(copy) == text(versions[3]))
    }

    /// §4: when the journal does not reach back, the whole zone goes in IXFR form.
    @Test func journalTooShortSendsTheWholeZone() throws {
        let (versions, _) = try Self.history()
        var short = ZoneJournal(origin: origin, diffCountMax: 1)
        _ = short.append(try ZoneDiff(from: versions[2], to: versions[3]))
        let answer = ZoneTransferResponder.answer(transferQuery(.ixfr, serial: 1), zone: versions[3], journal: short,
                                                  policy: TransferPolicy())
        #expect(answer.style == .ixfrFullZone)
        let lines = Self.lines(answer)
        #expect(lines.first == "SOA 4" && lines.last == "SOA 4" && lines.count == versions[3].recordCount + 1)
        var receiver = ZoneTransferReceiver(origin: origin, queryID: 7, request: .ixfr(from: SerialNumber(1)))
        #expect(try receiver.receive(answer.messages[0]) == .wholeZone(versions[3], style: .ixfrFullZone))
        // The same journal still serves a client at serial 3 incrementally.
        let recent = ZoneTransferResponder.answer(transferQuery(.ixfr, serial: 3), zone: versions[3], journal: short,
                                                  policy: TransferPolicy())
        #expect(recent.style == .ixfrIncremental)
    }

    /// PowerDNS cannot serve incremental IXFR: the whole zone, or the SOA alone for a current client.
    @Test func wholeZoneOnlyPolicyIsPowerDNS() throws {
        let (versions, journal) = try Self.history()
        let policy = TransferPolicy(ixfr: .wholeZoneOnly)
        let old = ZoneTransferResponder.answer(transferQuery(.ixfr, serial: 3), zone: versions[3], journal: journal, policy: policy)
        #expect(old.style == .ixfrFullZone)
        let current = ZoneTransferResponder.answer(transferQuery(.ixfr, serial: 4), zone: versions[3], journal: journal, policy: policy)
        #expect(current.style == .upToDate)
    }

    /// §3: the client's SOA goes in the authority section; without it the query is FORMERR.
    @Test func ixfrWithoutTheClientSOAIsFormErr() throws {
        let (versions, journal) = try Self.history()
        let answer = ZoneTransferResponder.answer(transferQuery(.ixfr), zone: versions[3], journal: journal, policy: TransferPolicy())
        #expect(answer.style == nil && answer.rcode == .formErr && answer.messages.count == 1)
    }

    /// §2: over UDP the answer goes whole when it fits in one datagram, else the SOA alone.
    @Test func ixfrOverUDPFallsBackToTheSOAWhenTooLarge() throws {
        let (versions, journal) = try Self.history()
        let small = ZoneTransferResponder.answerOverUDP(transferQuery(.ixfr, serial: 3), zone: versions[3], journal: journal,
                                                        policy: TransferPolicy(), limit: 512)
        #expect(small.style == .ixfrIncremental && small.messages.count == 1)
        let big = RFC5936_AXFRTests.bigZone(serial: 9)
        let tooBig = ZoneTransferResponder.answerOverUDP(transferQuery(.ixfr, serial: 1), zone: big, journal: nil,
                                                         policy: TransferPolicy(), limit: 512)
        #expect(tooBig.style == .upToDate && Self.lines(tooBig) == ["SOA 9"])
    }

    @Test func receiverSeesTheClientIsCurrent() throws {
        var receiver = ZoneTransferReceiver(origin: origin, queryID: 7, request: .ixfr(from: SerialNumber(4)))
        let result = try receiver.receive(Message(id: 7, flags: [.qr, .aa], answers: [soaRecord(serial: 4)]))
        #expect(result == .upToDate(soaRecord(serial: 4)))
    }

    @Test func receiverWaitsWhenANewerSOAArrivesAlone() throws {
        var receiver = ZoneTransferReceiver(origin: origin, queryID: 7, request: .ixfr(from: SerialNumber(1)))
        #expect(try receiver.receive(Message(id: 7, flags: .qr, answers: [soaRecord(serial: 4)])) == nil)
        #expect(throws: ZoneTransferError.incomplete(recordsReceived: 1)) { try receiver.finish() }
    }

    /// §4: each sequence starts where the previous ended; anything else is an error.
    @Test func receiverRejectsABrokenChain() throws {
        let www = records(["www A 192.0.2.10"])[0]
        var receiver = ZoneTransferReceiver(origin: origin, queryID: 7, request: .ixfr(from: SerialNumber(1)))
        let stream = [soaRecord(serial: 4), soaRecord(serial: 1), www, soaRecord(serial: 2), soaRecord(serial: 3)]
        #expect(throws: ZoneTransferError.chainBroken(expected: SerialNumber(2), found: SerialNumber(3))) {
            try receiver.receive(Message(id: 7, flags: .qr, answers: stream))
        }
        var other = ZoneTransferReceiver(origin: origin, queryID: 7, request: .ixfr(from: SerialNumber(1)))
        #expect(throws: ZoneTransferError.chainBroken(expected: SerialNumber(4), found: SerialNumber(2))) {
            try other.receive(Message(id: 7, flags: .qr, answers: [soaRecord(serial: 4), soaRecord(serial: 2)]))
        }
    }

    /// The receiver takes the sequences record by record, split over messages anywhere.
    @Test func receiverTakesTheSequencesInAnySplit() throws {
        let (versions, journal) = try Self.history()
        let all = ZoneTransferResponder.answer(transferQuery(.ixfr, serial: 1), zone: versions[3], journal: journal,
                                               policy: TransferPolicy(condense: false)).messages.flatMap(\.answers)
        for size in 1...all.count {
            var receiver = ZoneTransferReceiver(origin: origin, queryID: 7, request: .ixfr(from: SerialNumber(1)))
            var result: ZoneTransferResult?
            for start in stride(from: 0, to: all.count, by: size) {
                result = try receiver.receive(Message(id: 7, flags: .qr, answers: Array(all[start..<min(all.count, start + size)])))
            }
            guard case .incremental(let diffs)? = result else {
                Issue.record("split \(size): expected diffs")
                continue
            }
            #expect(diffs == journal.diffs)
        }
    }

    /// Commits feed the journal; a commit that does not move the serial forward restarts it.
    @Test func primaryJournalsEachCommit() throws {
        let (versions, _) = try Self.history()
        var primary = Primary(zones: try ZoneSet([versions[0]]), config: PrimaryConfig(secondaries: []), random: SeededRandom(seed: 1))
        let first = primary.handle(.zoneChanged(origin: origin, newZone: versions[1], diff: nil), now: .zero)
        #expect(traces(first) == [.zoneCommitted(zone: origin, serial: 2, journal: .appended)])
        let given = try ZoneDiff(from: versions[1], to: versions[2])
        _ = primary.handle(.zoneChanged(origin: origin, newZone: versions[2], diff: given), now: .zero)
        #expect(primary.journal(for: origin)?.diffs.last == given)
        let same = changed(versions[2], add: ["oops A 192.0.2.66"], serial: 3)
        let restarted = primary.handle(.zoneChanged(origin: origin, newZone: same, diff: nil), now: .zero)
        #expect(traces(restarted) == [.serialNotIncreased(zone: origin, old: 3, new: 3),
                                      .zoneCommitted(zone: origin, serial: 3, journal: .restarted)])
        #expect(primary.journal(for: origin)?.diffs.isEmpty == true)
        // A new zone is served at once, with an empty journal.
        let net = try ZoneFileParser.load("$TTL 60\n@ SOA ns1.example.net. h.example.net. 7 60 10 300 60\n@ NS ns1\nns1 A 192.0.2.9",
                                          fileName: "net", origin: name("example.net.")).zone
        let added = primary.handle(.zoneChanged(origin: net.origin, newZone: net, diff: nil), now: .zero)
        #expect(traces(added) == [.zoneCommitted(zone: net.origin, serial: 7, journal: .newZone)])
        let answer = primary.handle(.datagramReceived(queryBytes("ns1.example.net.", .a), from: .client(1)), now: .zero)
        #expect(udpSent(answer, to: .client(1)).first?.answers.count == 1)
    }

    /// The primary answers IXFR over TCP from its journal and the SOA query over UDP.
    @Test func primaryServesIXFRFromItsJournal() throws {
        let (versions, _) = try Self.history()
        var primary = Primary(zones: try ZoneSet([versions[0]]), config: PrimaryConfig(secondaries: []), random: SeededRandom(seed: 1))
        for version in versions.dropFirst() { _ = primary.handle(.zoneChanged(origin: origin, newZone: version, diff: nil), now: .zero) }
        let soa = primary.handle(.datagramReceived(queryBytes("example.org.", .soa), from: .client(1)), now: .zero)
        #expect(udpSent(soa, to: .client(1)).first?.answers == [soaRecord(serial: 4)])
        var query = Message.query(id: 77, name: origin, type: .ixfr)
        query.authority = [soaRecord(serial: 2)]
        let actions = primary.handle(.tcpReceived(try query.wire(), on: .accepted(3)), now: .zero)
        var receiver = ZoneTransferReceiver(origin: origin, queryID: 77, request: .ixfr(from: SerialNumber(2)))
        var result: ZoneTransferResult?
        for case .sendTCP(let bytes, .accepted(3)) in actions { result = try receiver.receive(bytes) }
        guard case .incremental(let diffs)? = result else {
            Issue.record("expected diffs, got \(String(describing: result))")
            return
        }
        #expect(text(try diffs[0].applied(to: versions[1])) == text(versions[3]))
    }
}
