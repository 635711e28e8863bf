import DNSWire
import DNSZone
import Testing

/// Zone differences and the journal behind IXFR (RFC 1995 §4, §5; serials per RFC 1982).
@Suite struct RFC1995_ZoneDiffTests {
    @Test func diffListsRemovedAndAddedRecordsWithoutTheSOA() throws {
        let old = exampleZone(serial: 1)
        let new = changed(old, add: ["www A 192.0.2.11", "new A 192.0.2.99"], remove: ["www A 192.0.2.10"])
        let diff = try ZoneDiff(from: old, to: new)
        #expect(diff.oldSerial == SerialNumber(1) && diff.newSerial == SerialNumber(2))
        #expect(diff.removed.map(\.description) == ["www.example.org. 300 IN A 192.0.2.10"])
        #expect(diff.added.map(\.description).sorted()
                == ["new.example.org. 300 IN A 192.0.2.99", "www.example.org. 300 IN A 192.0.2.11"])
        #expect(text(try diff.applied(to: old)) == text(new))
    }

    @Test func ttlChangeRemovesAndAddsTheWholeRRset() throws {
        let old = exampleZone(serial: 1, extra: ["multi 300 A 192.0.2.50", "multi 300 A 192.0.2.51"])
        var new = old
        guard var rrset = new.rrset(at: name("multi.example.org."), type: .a) else { fatalError("no RRset") }
        rrset.ttl = 60
        try new.setRRset(rrset)
        new = changed(new)
        let diff = try ZoneDiff(from: old, to: new)
        #expect(diff.removed.count == 2 && diff.removed.allSatisfy { $0.ttl == 300 })
        #expect(diff.added.count == 2 && diff.added.allSatisfy { $0.ttl == 60 })
        let result = try diff.applied(to: old)
        #expect(result.rrset(at: name("multi.example.org."), type: .a)?.ttl == 60)
        #expect(text(result) == text(new))
    }

    @Test func identicalZonesGiveAnEmptyDiff() throws {
        let zone = exampleZone(serial: 5)
        let diff = try ZoneDiff(from: zone, to: changed(zone))
        #expect(diff.changeCount == 0)
    }

    @Test func applyingToAnotherVersionFailsAndLeavesTheZoneUnchanged() throws {
        let base = exampleZone(serial: 1)
        let diff = try ZoneDiff(from: base, to: changed(base, add: ["a A 192.0.2.1"]))
        var other = exampleZone(serial: 7)
        #expect(throws: ZoneDiffError.serialMismatch(expected: SerialNumber(1), found: SerialNumber(7))) {
            try diff.apply(to: &other)
        }
        #expect(other == exampleZone(serial: 7))
    }

    @Test func aMissingRecordFailsBeforeAnythingChanges() throws {
        let base = exampleZone(serial: 1)
        let bogus = ZoneDiff(origin: origin, oldSOA: soaRecord(serial: 1), newSOA: soaRecord(serial: 2),
                             removed: records(["www A 192.0.2.10", "ghost A 192.0.2.77"]), added: records(["x A 192.0.2.5"]))
        var zone = base
        #expect(throws: ZoneDiffError.missingRecord(records(["ghost A 192.0.2.77"])[0])) { try bogus.apply(to: &zone) }
        #expect(zone == base)
        let duplicate = ZoneDiff(origin: origin, oldSOA: soaRecord(serial: 1), newSOA: soaRecord(serial: 2),
                                 removed: [], added: records(["www A 192.0.2.10"]))
        #expect(throws: ZoneDiffError.duplicateRecord(records(["www A 192.0.2.10"])[0])) { try duplicate.apply(to: &zone) }
        let outside = ZoneDiff(origin: origin, oldSOA: soaRecord(serial: 1), newSOA: soaRecord(serial: 2),
                               removed: [], added: [ResourceRecord(name: name("example.net."), ttl: 1, rdata: .a(IPv4Address(0)))])
        #expect(throws: ZoneDiffError.self) { try outside.apply(to: &zone) }
        #expect(zone == base)
    }

    /// RFC 1995 §5: a server may condense several versions into one difference sequence.
    @Test func condensingCancelsFlappingRecords() throws {
        let v1 = exampleZone(serial: 1)
        let v2 = changed(v1, add: ["home A 198.51.100.1"])
        let v3 = changed(v2, add: ["home A 198.51.100.2"], remove: ["home A 198.51.100.1"])
        let v4 = changed(v3, add: ["home A 198.51.100.3"], remove: ["home A 198.51.100.2", "www A 192.0.2.10"])
        let diffs = [try ZoneDiff(from: v1, to: v2), try ZoneDiff(from: v2, to: v3), try ZoneDiff(from: v3, to: v4)]
        let condensed = try #require(try ZoneDiff.condensing(diffs))
        #expect(condensed.oldSerial == SerialNumber(1) && condensed.newSerial == SerialNumber(4))
        #expect(condensed.removed.map(\.description) == ["www.example.org. 300 IN A 192.0.2.10"])
        #expect(condensed.added.map(\.description) == ["home.example.org. 300 IN A 198.51.100.3"])
        #expect(text(try condensed.applied(to: v1)) == text(v4))
        #expect(throws: ZoneDiffError.notConsecutive(leadsTo: SerialNumber(2), nextStartsAt: SerialNumber(3))) {
            try diffs[0].followed(by: diffs[2])
        }
    }

    @Test func journalAnswersFromAnySerialItReaches() throws {
        var journal = ZoneJournal(origin: origin)
        var versions = [exampleZone(serial: 10)]
        for step in 1...4 {
            let next = changed(versions[step - 1], add: ["h\(step) A 192.0.2.\(step)"])
            #expect(journal.append(try ZoneDiff(from: versions[step - 1], to: next)) == .appended(dropped: 0))
            versions.append(next)
        }
        #expect(journal.changes(from: SerialNumber(14), to: SerialNumber(14)) == .upToDate)
        #expect(journal.changes(from: SerialNumber(20), to: SerialNumber(14)) == .upToDate)  // newer than ours: RFC 1995 §2
        guard case .changes(let run) = journal.changes(from: SerialNumber(11), to: SerialNumber(14)) else {
            Issue.record("expected changes")
            return
        }
        #expect(run.map(\.oldSerial.rawValue) == [11, 12, 13])
        #expect(journal.changes(from: SerialNumber(9), to: SerialNumber(14)) == .notInJournal)
        #expect(journal.changes(from: SerialNumber(11), to: SerialNumber(15)) == .notInJournal)
    }

    @Test func journalDropsTheOldestDiffsAtItsBounds() throws {
        var journal = ZoneJournal(origin: origin, diffCountMax: 2, recordCountMax: 1_000)
        var zone = exampleZone(serial: 1)
        var outcomes: [ZoneJournal.AppendOutcome] = []
        for step in 1...3 {
            let next = changed(zone, add: ["h\(step) A 192.0.2.\(step)"])
            outcomes.append(journal.append(try ZoneDiff(from: zone, to: next)))
            zone = next
        }
        #expect(outcomes == [.appended(dropped: 0), .appended(dropped: 0), .appended(dropped: 1)])
        #expect(journal.oldestSerial == SerialNumber(2) && journal.newestSerial == SerialNumber(4))
        #expect(journal.changes(from: SerialNumber(1), to: SerialNumber(4)) == .notInJournal)

        var small = ZoneJournal(origin: origin, diffCountMax: 100, recordCountMax: 5)
        let big = changed(exampleZone(serial: 1), add: ["a A 192.0.2.1", "b A 192.0.2.2", "c A 192.0.2.3", "d A 192.0.2.4"])
        #expect(small.append(try ZoneDiff(from: exampleZone(serial: 1), to: big)) == .appended(dropped: 1))
        #expect(small.diffs.isEmpty && small.recordCount == 0)
    }

    @Test func journalRestartsWhenTheChainBreaks() throws {
        var journal = ZoneJournal(origin: origin)
        let v1 = exampleZone(serial: 1)
        _ = journal.append(try ZoneDiff(from: v1, to: changed(v1)))
        let unrelated = exampleZone(serial: 50)
        #expect(journal.append(try ZoneDiff(from: unrelated, to: changed(unrelated))) == .restarted)
        #expect(journal.diffs.count == 1 && journal.oldestSerial == SerialNumber(50))
    }

    /// RFC 1982: the journal follows serials across the wrap from 2^32 - 1 to 0.
    @Test func journalWorksAcrossSerialWrap() throws {
        var journal = ZoneJournal(origin: origin)
        let v1 = exampleZone(serial: UInt32.max)
        let v2 = changed(v1, add: ["w A 192.0.2.1"])  // serial 0
        let v3 = changed(v2, add: ["x A 192.0.2.2"])  // serial 1
        _ = journal.append(try ZoneDiff(from: v1, to: v2))
        _ = journal.append(try ZoneDiff(from: v2, to: v3))
        guard case .changes(let run) = journal.changes(from: SerialNumber(UInt32.max), to: SerialNumber(1)) else {
            Issue.record("expected changes across the wrap")
            return
        }
        #expect(run.count == 2)
        #expect(journal.changes(from: SerialNumber(5), to: SerialNumber(1)) == .upToDate)
    }
}
