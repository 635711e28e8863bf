import DNSWire
import DNSZone
import Storage
import Testing

/// PowerDNS's conventions for names and content (generic-sql.rst; pdns/ssql.hh; gsqlbackend.cc).
@Suite struct FormatTests {
    @Test(arguments: [
        ("Dyn.Example.", "dyn.example"),
        ("WWW.dyn.example.", "www.dyn.example"),
        (".", "."),
        ("*.dave.dyn.example.", "*.dave.dyn.example"),
        ("a\\.b.example.", "a\\.b.example"),
        ("sp\\032ace.example.", "sp\\032ace.example"),
    ])
    func namesAreLowercaseWithoutTheTrailingDot(given: String, stored: String) {
        #expect(PowerDNSFormat.storedName(name(given)) == stored)
        #expect(PowerDNSFormat.name(fromStored: stored) == name(given))
    }

    @Test(arguments: [
        ("x. 60 IN MX 10 Mail.Example.", "Mail.Example", Int64(10)),
        ("x. 60 IN MX 0 .", ".", Int64(0)),
        ("x. 60 IN SRV 5 10 443 target.example.", "10 443 target.example", Int64(5)),
        ("x. 60 IN CNAME Other.Example.", "Other.Example", Int64(0)),
        ("x. 60 IN NS ns1.example.", "ns1.example", Int64(0)),
        ("x. 60 IN SOA ns1.example. host.example. 1 2 3 4 5", "ns1.example host.example 1 2 3 4 5", Int64(0)),
        ("x. 60 IN HTTPS 1 . alpn=h2", "1 . alpn=\"h2\"", Int64(0)),
        ("x. 60 IN HTTPS 1 svc.example. port=8443", "1 svc.example port=8443", Int64(0)),
        ("x. 60 IN SVCB 1 . mandatory=alpn,port alpn=h2,h3 no-default-alpn port=53 ipv4hint=192.0.2.1,192.0.2.2 "
            + "ech=AAE= ipv6hint=2001:db8::1", "1 . mandatory=alpn,port alpn=\"h2,h3\" no-default-alpn port=53 "
            + "ipv4hint=192.0.2.1,192.0.2.2 ech=AAE= ipv6hint=2001:db8::1", Int64(0)),
        ("x. 60 IN A 192.0.2.1", "192.0.2.1", Int64(0)),
        ("x. 60 IN TXT \"a b\" c", "\"a b\" \"c\"", Int64(0)),
        ("x. 60 IN CAA 0 issue \"ca.example\"", "0 issue \"ca.example\"", Int64(0)),
    ])
    func contentSplitsPriorityAndDropsTrailingDots(line: String, content: String, prio: Int64) throws {
        let given = record(line)
        let stored = PowerDNSFormat.content(of: given.rdata)
        #expect(stored.content == content && stored.prio == prio)
        let back = try PowerDNSFormat.rdata(type: given.type, content: stored.content, prio: stored.prio)
        #expect(back == given.rdata)
        // Content that PowerDNS tools wrote with trailing dots reads the same.
        if given.type == .cname {
            #expect(try PowerDNSFormat.rdata(type: .cname, content: "other.example.", prio: 0) == given.rdata)
        }
    }

    /// The loader's fast path agrees with the full parser, and leaves odd names to it.
    @Test(arguments: ["a.example", "A.Example", "x", "*.a", "_tcp.a", "a.example.", ".", "", "a..b", ".a",
                      String(repeating: "a", count: 64) + ".example", String(repeating: "a", count: 63) + ".example",
                      Array(repeating: String(repeating: "a", count: 63), count: 4).joined(separator: "."),
                      "a\\.b.example", "sp\\032ace"])
    func storedNamesParseLikeTheFullParser(text: String) {
        #expect(PowerDNSFormat.name(fromStored: text) == (try? DNSName(parsing: text, origin: .root)))
    }

    @Test func rowOfARecordAndBack() throws {
        let given = record("Host.Dyn.Example. 60 IN MX 20 mx1.dyn.example.")
        let row = PowerDNSFormat.row(for: given, auth: true)
        #expect(row == PowerDNSRecord(name: "host.dyn.example", type: "MX", content: "mx1.dyn.example", ttl: 60,
                                      prio: 20, disabled: false, ordername: nil, auth: true))
        #expect(try PowerDNSFormat.record(from: row) == given)
        let ent = PowerDNSFormat.emptyNonTerminalRow(name("Customers.Dyn.Example."), auth: true)
        #expect(ent.isEmptyNonTerminal && ent.name == "customers.dyn.example" && ent.content == nil)
        #expect(try PowerDNSFormat.record(from: ent) == nil)
    }

    @Test func badRowsAreTypedErrors() {
        let rows = [
            PowerDNSRecord(name: "a..b", type: "A", content: "192.0.2.1", ttl: 60, prio: 0, auth: true),
            PowerDNSRecord(name: "a.example", type: "NOSUCHTYPE", content: "x", ttl: 60, prio: 0, auth: true),
            PowerDNSRecord(name: "a.example", type: "A", content: nil, ttl: 60, prio: 0, auth: true),
            PowerDNSRecord(name: "a.example", type: "A", content: "192.0.2.1", ttl: nil, prio: 0, auth: true),
            PowerDNSRecord(name: "a.example", type: "MX", content: "", ttl: 60, prio: 10, auth: true),
        ]
        for (index, row) in rows.enumerated() {
            #expect(throws: StorageError.self, "row \(index)") { try PowerDNSFormat.record(from: row, rowID: 7) }
        }
    }

    @Test func zoneKindsAreThePowerDNSColumnValues() {
        #expect(ZoneKind.allCases.map(\.rawValue) == ["NATIVE", "MASTER", "SLAVE"])
    }
}
