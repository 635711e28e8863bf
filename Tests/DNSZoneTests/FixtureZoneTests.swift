import DNSWire
import DNSZone
import Foundation
import Testing

/// Reads fixture files for tests (the library itself does no I/O; this is its injected loader).
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../fixtures/zones").standardizedFileURL.path

    static func read(_ path: String) -> String? {
        let full = path.hasPrefix("/") ? path : directory + "/" + path
        return try? String(contentsOfFile: full, encoding: .utf8)
    }

    static func dynExample() throws -> LoadedZone {
        let text = try #require(read("dyn.example.zone"))
        return try ZoneFileParser.load(text, fileName: "dyn.example.zone", origin: name("dyn.example."), loader: read)
    }
}

/// The DynDNS fixture zone end to end: load, print, reload, answer.
@Suite struct FixtureZoneTests {
    @Test func loadsCleanly() throws {
        let loaded = try Fixtures.dynExample()
        #expect(loaded.warnings.isEmpty)
        #expect(loaded.zone.recordCount == 38 && loaded.zone.validate().isEmpty)
        #expect(loaded.zone.soa?.serial == 2_024_030_901 && loaded.zone.soa?.minimum == 60)
    }

    @Test func printedZoneReadsBackToTheSameZone() throws {
        let zone = try Fixtures.dynExample().zone
        let text = zone.zoneFileText
        let reloaded = try ZoneFileParser.load(text, fileName: "printed", origin: zone.origin)
        #expect(reloaded.zone == zone && reloaded.warnings.isEmpty)
        #expect(reloaded.zone.zoneFileText == text)
        let lines = text.split(separator: "\n")
        #expect(lines.first == "$ORIGIN dyn.example.")
        #expect(lines.dropFirst().first?.hasPrefix("dyn.example. 3600 IN SOA ") == true)
        #expect(lines.dropFirst(2).first == "dyn.example. 300 IN A 192.0.2.1")
        #expect(lines.last == "www.dyn.example. 300 IN CNAME dyn.example.")
    }

    @Test func customerAnswers() throws {
        let zones = zoneSet(try Fixtures.dynExample().zone)
        expectSection(
            ask(zones, "alice.dyn.example.", .aaaa).answers, ["alice.dyn.example. 60 IN AAAA 2001:db8:a11c::1"])
        expectSection(
            ask(zones, "_acme-challenge.carol.dyn.example.", .txt).answers,
            ["_acme-challenge.carol.dyn.example. 60 IN TXT \"gqFTRQc3Vn7t8N2yQ8YbOE5qvqVV1Q3m0s3zWQHcWl4\""])
        expectSection(
            ask(zones, "www.dyn.example.", .a).answers,
            [
                "www.dyn.example. 300 IN CNAME dyn.example.",
                "dyn.example. 300 IN A 192.0.2.1",
            ])
        expectSection(
            ask(zones, "cam.home.dave.dyn.example.", .a).answers,
            [
                "cam.home.dave.dyn.example. 60 IN CNAME dave.dyn.example.", "dave.dyn.example. 60 IN A 192.0.2.104",
            ])
    }

    @Test func wildcardEmptyNonTerminalAndNXDomain() throws {
        let zones = zoneSet(try Fixtures.dynExample().zone)
        expectSection(
            ask(zones, "unregistered.dyn.example.", .a).answers, ["unregistered.dyn.example. 60 IN A 192.0.2.200"])
        let ent = ask(zones, "customers.dyn.example.", .a)
        #expect(ent.rcode == .noError && ent.answers.isEmpty)
        expectSection(
            ent.authority,
            ["dyn.example. 60 IN SOA ns1.dyn.example. hostmaster.dyn.example. 2024030901 3600 600 1209600 60"])
        // Below an existing name the apex wildcard does not apply (RFC 4592 §3.3.1: closest encloser).
        #expect(ask(zones, "ghost.customers.dyn.example.", .a).rcode == .nxDomain)
        #expect(ask(zones, "x.alice.dyn.example.", .a).rcode == .nxDomain)
    }

    @Test func delegationAndServices() throws {
        let zones = zoneSet(try Fixtures.dynExample().zone)
        let referral = ask(zones, "mail.corp.dyn.example.", .mx)
        #expect(!referral.flags.contains(.aa))
        expectSection(
            referral.authority,
            [
                "corp.dyn.example. 3600 IN NS ns1.corp.dyn.example.",
                "corp.dyn.example. 3600 IN NS ns2.corp.dyn.example.",
            ])
        expectSection(
            referral.additional,
            [
                "ns1.corp.dyn.example. 3600 IN A 192.0.2.153",
                "ns2.corp.dyn.example. 3600 IN AAAA 2001:db8:c0:2::53",
            ])
        let srv = ask(zones, "_dyndns._tcp.dyn.example.", .srv)
        expectSection(srv.answers, ["_dyndns._tcp.dyn.example. 300 IN SRV 0 5 443 update.dyn.example."])
        expectSection(
            srv.additional, ["update.dyn.example. 300 IN A 192.0.2.10", "update.dyn.example. 300 IN AAAA 2001:db8::10"])
        let https = ask(zones, "update.dyn.example.", .https)
        expectSection(
            https.answers,
            [
                "update.dyn.example. 300 IN HTTPS 1 . alpn=\"h2\" port=\"443\" ipv4hint=\"192.0.2.10\" ipv6hint=\"2001:db8::10\""
            ])
        expectSection(
            ask(zones, "dyn.example.", .caa).answers,
            [
                "dyn.example. 300 IN CAA 0 issue \"letsencrypt.org\"",
                "dyn.example. 300 IN CAA 0 iodef \"mailto:security@dyn.example\"",
            ])
    }
}

/// The printer: canonical text that the parser reads back unchanged.
@Suite struct ZonePrinterTests {
    @Test func soaFirstThenCanonicalOrder() throws {
        let zone = loadZone(
            """
            $TTL 60
            zz A 192.0.2.9
            b TXT "x"
            @ MX 1 b
            @ NS ns
            @ SOA ns hostmaster 1 2 3 4 5
            ns A 192.0.2.1
            a\\.b TXT "dot"
            """, origin: "example.org.")
        #expect(
            zone.zoneFileText == """
                $ORIGIN example.org.
                example.org. 60 IN SOA ns.example.org. hostmaster.example.org. 1 2 3 4 5
                example.org. 60 IN NS ns.example.org.
                example.org. 60 IN MX 1 b.example.org.
                a\\.b.example.org. 60 IN TXT "dot"
                b.example.org. 60 IN TXT "x"
                ns.example.org. 60 IN A 192.0.2.1
                zz.example.org. 60 IN A 192.0.2.9

                """)
    }

    @Test(arguments: [rfc4592Zone, exampleOrgZone, otherTestZone])
    func printedZonesReadBack(text: String) throws {
        let first = ZoneFileParser.parseRecords(text, fileName: "z", origin: .root).records.first?.record.name
        let origin = try #require(first)
        let zone = loadZone(text, origin: origin.description)
        let again = loadZone(zone.zoneFileText, origin: origin.description)
        #expect(again == zone && again.zoneFileText == zone.zoneFileText)
    }
}
