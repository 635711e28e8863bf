import DNSWire
import DNSZone
import GRDB
import Storage
import Testing

/// Zone -> rows -> zone for every record type, and the rows as PowerDNS writes them.
@Suite struct RoundTripTests {
    /// The fixture's rows: canonical order, empty non-terminals where rectify puts them, auth 0 for
    /// the delegation and its glue, DS authoritative. Format: name type content ttl prio disabled auth.
    static let fixtureRows = """
        dyn.example A 192.0.2.1 300 0 0 1
        dyn.example NS ns1.dyn.example 3600 0 0 1
        dyn.example NS ns2.dyn.example 3600 0 0 1
        dyn.example SOA ns1.dyn.example hostmaster.dyn.example 2024030901 3600 600 1209600 60 3600 0 0 1
        dyn.example MX mx1.dyn.example 300 10 0 1
        dyn.example TXT "v=spf1 mx -all" 300 0 0 1
        dyn.example AAAA 2001:db8::1 300 0 0 1
        dyn.example HTTPS 1 . alpn="h2,h3" 300 0 0 1
        dyn.example CAA 0 issue "letsencrypt.org" 300 0 0 1
        dyn.example CAA 0 iodef "mailto:security@dyn.example" 300 0 0 1
        *.dyn.example A 192.0.2.200 60 0 0 1
        *.dyn.example TXT "parked" 60 0 0 1
        _acme-challenge.dyn.example TXT "Rk9P2xqvM0aYl3gK8sTq1ZbWn4cEo7HjU5iDp6fRtLw" 300 0 0 1
        _tcp.dyn.example NULL NULL NULL NULL 0 1
        _dyndns._tcp.dyn.example SRV 5 443 update.dyn.example 300 0 0 1
        alice.dyn.example A 192.0.2.101 60 0 0 1
        alice.dyn.example AAAA 2001:db8:a11c::1 60 0 0 1
        bob.dyn.example A 192.0.2.102 60 0 0 1
        carol.dyn.example A 192.0.2.103 60 0 0 1
        _acme-challenge.carol.dyn.example TXT "gqFTRQc3Vn7t8N2yQ8YbOE5qvqVV1Q3m0s3zWQHcWl4" 60 0 0 1
        corp.dyn.example NS ns1.corp.dyn.example 3600 0 0 0
        corp.dyn.example NS ns2.corp.dyn.example 3600 0 0 0
        corp.dyn.example DS 31589 13 2 4a1c2f5b8e3d9a7f1b6c0e2d5f8a3b9c7d4e1f0a6b2c8d3e9f5a0b1c2d3e4f5a 3600 0 0 1
        ns1.corp.dyn.example A 192.0.2.153 3600 0 0 0
        ns2.corp.dyn.example AAAA 2001:db8:c0:2::53 3600 0 0 0
        customers.dyn.example NULL NULL NULL NULL 0 1
        erin.customers.dyn.example A 192.0.2.105 60 0 0 1
        frank.customers.dyn.example A 192.0.2.106 60 0 0 1
        frank.customers.dyn.example AAAA 2001:db8:f::6 60 0 0 1
        dave.dyn.example A 192.0.2.104 60 0 0 1
        *.dave.dyn.example CNAME dave.dyn.example 60 0 0 1
        mx1.dyn.example A 192.0.2.25 300 0 0 1
        ns1.dyn.example A 192.0.2.53 3600 0 0 1
        ns1.dyn.example AAAA 2001:db8::53 3600 0 0 1
        ns2.dyn.example A 198.51.100.53 3600 0 0 1
        ns2.dyn.example AAAA 2001:db8:1::53 3600 0 0 1
        update.dyn.example A 192.0.2.10 300 0 0 1
        update.dyn.example AAAA 2001:db8::10 300 0 0 1
        update.dyn.example HTTPS 1 . alpn="h2" port=443 ipv4hint=192.0.2.10 ipv6hint=2001:db8::10 300 0 0 1
        www.dyn.example CNAME dyn.example 300 0 0 1
        """

    @Test func fixtureRowsFollowPowerDNSConventions() throws {
        let store = try ZoneStore.inMemory()
        let stored = try store.storeZone(try Fixtures.dynExample(), kind: .master)
        #expect(stored.recordCount == 38 && stored.emptyNonTerminalCount == 2 && stored.serial == 2_024_030_901)
        #expect(try recordRows(store) == Self.fixtureRows.split(separator: "\n").map(String.init))
        let domain = try store.database.read { db in
            try Row.fetchOne(db, sql: "SELECT name, type, master, account FROM domains")
        }
        #expect(domain?.description == "[name:\"dyn.example\" type:\"MASTER\" master:\"\" account:\"\"]")
        #expect(try store.metadata("SOA-EDIT-API", of: name("dyn.example.")) == ["DEFAULT"])
        // Every name is stored lowercase and without its trailing dot; ordername stays NULL.
        let (dotted, uppercase, ordernames) = try store.database.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM records WHERE name LIKE '%.'"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM records WHERE name != lower(name)"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM records WHERE ordername IS NOT NULL"))
        }
        #expect(dotted == 0 && uppercase == 0 && ordernames == 0)
    }

    @Test func fixtureReadsBackAsTheSameZone() throws {
        let zone = try Fixtures.dynExample()
        let store = try ZoneStore.inMemory()
        _ = try store.storeZone(zone, kind: .native)
        let loaded = try #require(try store.loadZone(zone.origin))
        #expect(loaded == zone)
        #expect(loaded.zoneFileText == zone.zoneFileText)
        // Every type of the fixture came through.
        let types = Set(zone.records.map(\.type))
        #expect(types == [.soa, .ns, .mx, .txt, .caa, .https, .a, .aaaa, .cname, .srv, .ds])
    }

    /// Types the fixture lacks, names with upper case and escapes, the root as a target.
    static let otherTypes = """
        $ORIGIN Example.ORG.
        @        3600 IN SOA NS1.Example.ORG. Host\\.Master.example.org. 4294967295 7200 900 604800 300
        @        3600 IN NS  ns1
        @        300  IN MX  0 .
        @        300  IN SVCB 0 svc.example.org.
        @        300  IN DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==
        ns1      3600 IN A   192.0.2.53
        Mixed.Case 60 IN A   192.0.2.7
        txt      60 IN TXT "two" "strings with \\"quotes\\" and \\\\ and \\010"
        ptr      60 IN PTR host.example.net.
        _sip._udp 60 IN SRV 10 20 5060 .
        nsec     60 IN NSEC next.example.org. A MX RRSIG NSEC TYPE1234
        nsec     60 IN RRSIG A 13 3 60 20260101000000 20251201000000 12345 example.org. dGVzdA==
        unknown  60 IN TYPE65280 \\# 3 010203
        """

    @Test func otherTypesReadBackAsTheSameZone() throws {
        let zone = try ZoneFileParser.load(Self.otherTypes, fileName: "other", origin: name("Example.ORG.")).zone
        let store = try ZoneStore.inMemory()
        _ = try store.storeZone(zone, kind: .native)
        let loaded = try #require(try store.loadZone(name("example.org.")))
        #expect(loaded == zone)
        // Owners come back lowercase (PowerDNS keeps no case in names); names inside RDATA keep theirs.
        let lowered = zone.records.map { ResourceRecord(name: $0.name.lowercased, ttl: $0.ttl, rdata: $0.rdata) }
        #expect(lines(loaded.records) == lines(lowered))
        let rows = try recordRows(store)
        #expect(rows.contains(
            "example.org SOA NS1.Example.ORG Host\\.Master.example.org 4294967295 7200 900 604800 300 3600 0 0 1"))
        #expect(rows.contains("example.org MX . 300 0 0 1"))
        #expect(rows.contains("example.org SVCB 0 svc.example.org 300 0 0 1"))
        #expect(rows.contains("mixed.case.example.org A 192.0.2.7 60 0 0 1"))
        #expect(rows.contains("_sip._udp.example.org SRV 20 5060 . 60 10 0 1"))
        #expect(rows.contains("ptr.example.org PTR host.example.net 60 0 0 1"))
        #expect(rows.contains("nsec.example.org NSEC next.example.org A MX RRSIG NSEC TYPE1234 60 0 0 1"))
        #expect(rows.contains(
            "nsec.example.org RRSIG A 13 3 60 20260101000000 20251201000000 12345 example.org dGVzdA== 60 0 0 1"))
        #expect(rows.contains("unknown.example.org TYPE65280 \\# 3 010203 60 0 0 1"))
        #expect(rows.contains(
            "txt.example.org TXT \"two\" \"strings with \\\"quotes\\\" and \\\\ and \\010\" 60 0 0 1"))
    }

    @Test func disabledRecordsAreSkippedAndADisabledSOADisablesTheZone() throws {
        let store = try Fixtures.storeWithDynExample()
        let origin = name("dyn.example.")
        try store.database.write { db in
            try db.execute(sql: "UPDATE records SET disabled = 1 WHERE name = 'bob.dyn.example'")
        }
        let zone = try #require(try store.loadZone(origin))
        #expect(zone.node(at: name("bob.dyn.example.")) == nil)
        #expect(zone.recordCount == 37)
        try store.database.write { db in
            try db.execute(sql: "UPDATE records SET disabled = 1 WHERE type = 'SOA'")
        }
        #expect(try store.loadZone(origin) == nil)
        let all = try store.loadZones()
        #expect(all.zones.zones.isEmpty && all.disabled == [origin])
    }

    @Test func loadZonesReadsEveryZoneInCanonicalOrder() throws {
        let store = try Fixtures.storeWithDynExample()
        let other = try ZoneFileParser.load(Self.otherTypes, fileName: "other", origin: name("example.org.")).zone
        _ = try store.storeZone(other, kind: .slave, primaries: ["192.0.2.53", "198.51.100.53:5300"])
        let loaded = try store.loadZones()
        #expect(loaded.zones.zones.map(\.origin) == [name("dyn.example."), name("example.org.")])
        #expect(loaded.disabled.isEmpty)
        let infos = try store.zones()
        #expect(infos.map(\.kind) == [.master, .slave])
        #expect(infos[1].primaries == ["192.0.2.53", "198.51.100.53:5300"])
        // A secondary's copy gets no SOA-EDIT-API: it never edits its zone.
        #expect(try store.metadata("SOA-EDIT-API", of: name("example.org.")).isEmpty)
        let master = try store.database.read { db in
            try String.fetchOne(db, sql: "SELECT master FROM domains WHERE name = 'example.org'")
        }
        #expect(master == "192.0.2.53,198.51.100.53:5300")
    }

    /// A secondary's new copy replaces every row of the old one in one transaction.
    @Test func storingAZoneAgainReplacesItsRows() throws {
        let store = try Fixtures.storeWithDynExample()
        var zone = try Fixtures.dynExample()
        _ = zone.removeRRset(owner: name("bob.dyn.example."), type: .a)
        try zone.setRRset(rrset(
            "dyn.example. 3600 IN SOA ns1.dyn.example. hostmaster.dyn.example. 2024030902 3600 600 1209600 60"))
        let stored = try store.storeZone(zone, kind: .slave, primaries: ["192.0.2.53"])
        #expect(stored.serial == 2_024_030_902 && stored.recordCount == 37)
        #expect(try store.loadZone(zone.origin) == zone)
        #expect(try store.zones().map(\.kind) == [.slave])
    }

    @Test func aZoneWithoutSOAIsRefused() throws {
        let store = try ZoneStore.inMemory()
        var zone = Zone(origin: name("example.org."))
        _ = try zone.add(record("example.org. 60 IN NS ns1.example.org."))
        #expect(throws: StorageError.self) { try store.storeZone(zone, kind: .master) }
        #expect(try store.zones().isEmpty)
    }

    @Test func unreadableRowsAreTypedErrorsNamingTheRow() throws {
        let store = try Fixtures.storeWithDynExample()
        let id = try store.database.write { db in
            try db.execute(sql: "UPDATE records SET content = 'not-an-address' WHERE name = 'bob.dyn.example'")
            return try Int64.fetchOne(db, sql: "SELECT id FROM records WHERE name = 'bob.dyn.example'")
        }
        let rowID = try #require(id)
        #expect {
            try store.loadZone(name("dyn.example."))
        } throws: { error in
            guard case .invalidRow(let problem) = error as? StorageError else { return false }
            return problem.rowID == rowID && problem.table == "records"
        }
    }

    @Test func zoneRowsCarryReplicationState() throws {
        let store = try Fixtures.storeWithDynExample()
        let origin = name("dyn.example.")
        try store.setNotifiedSerial(2_024_030_901, of: origin)
        try store.setLastCheck(unixSeconds: 1_709_985_600, of: origin)
        let info = try #require(try store.zone(origin))
        #expect(info.kind == .master && info.notifiedSerial == 2_024_030_901 && info.lastCheck == 1_709_985_600)
        #expect(try store.zone(name("example.org.")) == nil)
        #expect(throws: StorageError.zoneNotFound(name("example.org."))) {
            try store.setNotifiedSerial(1, of: name("example.org."))
        }
    }
}
