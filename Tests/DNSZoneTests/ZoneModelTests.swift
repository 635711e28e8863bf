import DNSWire
import DNSZone
import Testing

/// RFC 1034 §3.6.2 and RFC 2181 §10.1 (CNAME alone), RFC 1035 §5.2 (one SOA at the apex),
/// RFC 1034 §4.2.1 (apex NS, data below cuts), RFC 2181 §5 (RRsets).
@Suite struct RFC1034_3_6_2_ZoneValidationTests {
    func problems(_ body: String) -> [String] {
        let zone = Zone(origin: name("example.org."))
        let parsed = ZoneFileParser.parseRecords("$TTL 60\n" + body, fileName: "v", origin: zone.origin)
        #expect(parsed.errors.isEmpty)
        guard let built = try? Zone(origin: zone.origin, records: parsed.records.map(\.record)) else { return ["?"] }
        return built.validate().map(\.description)
    }

    let head = "@ SOA ns hostmaster 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n"

    @Test func aValidZoneHasNoProblems() {
        #expect(
            problems(head + "www CNAME ns\nsub NS ns.sub\nns.sub A 192.0.2.2\nns.sub AAAA 2001:db8::2\nsub DS 1 2 3 ab")
                .isEmpty)
    }

    @Test func cnameBesideOtherData() {
        #expect(
            problems(head + "www CNAME ns\nwww TXT x\nwww RRSIG A 13 2 60 1 1 1 example.org. AQID")
                == ["www.example.org. TXT: CNAME and other data at the same name"])
        #expect(
            problems(head + "www CNAME ns\nwww CNAME ns2") == [
                "www.example.org. CNAME: more than one CNAME record at a name"
            ])
        #expect(
            problems(head + "@ CNAME ns") == [
                "example.org. NS: CNAME and other data at the same name",
                "example.org. SOA: CNAME and other data at the same name",
            ])
    }

    @Test func soaRules() {
        #expect(problems("@ NS ns\nns A 192.0.2.1") == ["example.org. SOA: the zone has no SOA record at its apex"])
        #expect(
            problems(head + "@ SOA ns2 hostmaster 1 2 3 4 5") == [
                "example.org. SOA: more than one SOA record at the apex"
            ])
        #expect(problems(head + "x SOA ns hostmaster 1 2 3 4 5") == ["x.example.org. SOA: SOA record below the apex"])
        #expect(
            problems("@ SOA ns hostmaster 1 2 3 4 5") == ["example.org. NS: the zone has no NS records at its apex"])
    }

    @Test func onlyGlueBelowACut() {
        #expect(
            problems(head + "sub NS ns.sub\nsub TXT x\nns.sub A 192.0.2.2\nx.y.sub MX 1 ns.sub") == [
                "sub.example.org. TXT: TXT data below the delegation at sub.example.org. is not glue",
                "x.y.sub.example.org. MX: MX data below the delegation at sub.example.org. is not glue",
            ])
    }

    @Test func outOfZoneAndForeignDataIsRejectedOnAdd() {
        var zone = Zone(origin: name("example.org."))
        let foreign = ResourceRecord(name: name("www.example.com."), ttl: 60, rdata: .a(IPv4Address(192, 0, 2, 1)))
        #expect(throws: ZoneError.outOfZone(name("www.example.com."))) { try zone.add(foreign) }
        let chaos = ResourceRecord(name: name("example.org."), class: .ch, ttl: 60, rdata: .txt([[1]]))
        #expect(throws: ZoneError.classMismatch(.ch)) { try zone.add(chaos) }
        let empty = ResourceRecord(name: name("example.org."), ttl: 60, rdata: .empty(.a))
        #expect(throws: ZoneError.emptyRData(.a)) { try zone.add(empty) }
        let opt = ResourceRecord(name: name("example.org."), ttl: 60, rdata: .unknown(.opt, []))
        #expect(throws: ZoneError.metaType(.opt)) { try zone.add(opt) }
    }
}

/// RFC 2181 §5: an RRset is a set with one TTL; the zone keeps canonical order (RFC 4034 §6.1).
@Suite struct RFC2181_5_RRsetTests {
    @Test func duplicatesAndTTLMismatch() throws {
        var zone = Zone(origin: name("example.org."))
        let record = ResourceRecord(name: name("www.example.org."), ttl: 60, rdata: .a(IPv4Address(192, 0, 2, 1)))
        #expect(try zone.add(record) == .added)
        #expect(try zone.add(record) == .duplicate)
        var other = record
        other.rdata = .a(IPv4Address(192, 0, 2, 2))
        other.ttl = 120
        #expect(try zone.add(other) == .ttlMismatch(kept: 60))
        #expect(zone.rrset(at: name("WWW.example.org."), type: .a)?.rdatas.count == 2)
        #expect(zone.remove(record) && !zone.remove(record))
        #expect(zone.remove(other) && zone.nodes.isEmpty)
    }

    @Test func iterationIsInCanonicalOrderWhateverTheInsertionOrder() throws {
        let owners = [
            "z.example.org.", "example.org.", "*.example.org.", "a.example.org.", "yljkjljk.a.example.org.",
            "Z.a.example.org.", "zABC.a.EXAMPLE.org.", "\\001.z.example.org.", "*.z.example.org.",
            "\\200.z.example.org.",
        ]
        var zone = Zone(origin: name("example.org."))
        for owner in owners {
            _ = try zone.add(ResourceRecord(name: name(owner), ttl: 1, rdata: .txt([[1]])))
        }
        // RFC 4034 §6.1's example order, with `*` (0x2A) sorting before letters.
        #expect(
            zone.nodes.map(\.owner.description) == [
                "example.org.", "*.example.org.", "a.example.org.", "yljkjljk.a.example.org.", "Z.a.example.org.",
                "zABC.a.EXAMPLE.org.", "z.example.org.", "\\001.z.example.org.", "*.z.example.org.",
                "\\200.z.example.org.",
            ])
        #expect(zone.nodes.map(\.owner) == zone.nodes.map(\.owner).sorted())
        #expect(zone.nodes.first?.owner == name("example.org.") && zone.nodes[1].owner == name("*.example.org."))
    }

    @Test func setAndRemoveRRsets() throws {
        var zone = Zone(origin: name("example.org."))
        let rrset = RRset(
            owner: name("h.example.org."), type: .a, ttl: 30,
            rdatas: [.a(IPv4Address(192, 0, 2, 1)), .a(IPv4Address(192, 0, 2, 1)), .a(IPv4Address(192, 0, 2, 2))])
        #expect(rrset.rdatas.count == 2)
        try zone.setRRset(rrset)
        try zone.setRRset(
            RRset(owner: name("h.example.org."), type: .aaaa, ttl: 30, rdatas: [.aaaa(IPv6Address(high: 1, low: 2))]))
        #expect(zone.node(at: name("h.example.org."))?.types == [.a, .aaaa])
        #expect(zone.removeRRset(owner: name("h.example.org."), type: .a) == rrset)
        try zone.setRRset(RRset(owner: name("h.example.org."), type: .aaaa, ttl: 30, rdatas: []))
        #expect(zone.nodes.isEmpty && zone.recordCount == 0)
    }
}
