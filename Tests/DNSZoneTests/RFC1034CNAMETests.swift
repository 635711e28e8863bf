import DNSWire
import DNSZone
import Testing

/// RFC 1034 §4.3.2 step 3a: CNAMEs are followed inside the zone and into other zones we serve,
/// with a bound and loop detection; RCODE and authority follow the last name (RFC 6604 §3).
@Suite struct RFC1034_4_3_2_CNAMEChasingTests {
    let zones = exampleZones()

    @Test func cnameIsFollowedInsideTheZone() {
        let response = ask(zones, "alias.example.org.", .a)
        #expect(response.rcode == .noError && response.flags.contains(.aa))
        expectSection(
            response.answers,
            [
                "alias.example.org. 3600 IN CNAME www.example.org.",
                "www.example.org. 3600 IN A 192.0.2.80",
            ])
        #expect(response.answers.first?.type == .cname)
    }

    @Test func chainsAreFollowedInOrder() {
        let response = ask(zones, "chain1.example.org.", .aaaa)
        #expect(
            response.answers.map(\.description) == [
                "chain1.example.org. 3600 IN CNAME chain2.example.org.",
                "chain2.example.org. 3600 IN CNAME chain3.example.org.",
                "chain3.example.org. 3600 IN CNAME alias.example.org.",
                "alias.example.org. 3600 IN CNAME www.example.org.",
                "www.example.org. 3600 IN AAAA 2001:db8::80",
            ])
    }

    @Test func theChainBoundStopsWithAPartialAnswer() {
        let response = ask(zones, "chain1.example.org.", .a, options: LookupOptions(cnameChainMax: 2))
        #expect(response.rcode == .noError)
        expectSection(
            response.answers,
            [
                "chain1.example.org. 3600 IN CNAME chain2.example.org.",
                "chain2.example.org. 3600 IN CNAME chain3.example.org.",
            ])
    }

    @Test func loopsStopAtTheFirstRepeatedName() {
        let response = ask(zones, "loop1.example.org.", .a)
        #expect(response.rcode == .noError)
        expectSection(
            response.answers,
            [
                "loop1.example.org. 3600 IN CNAME loop2.example.org.",
                "loop2.example.org. 3600 IN CNAME loop1.example.org.",
            ])
    }

    @Test func cnameQueryReturnsTheCNAMEItself() {
        expectSection(
            ask(zones, "alias.example.org.", .cname).answers, ["alias.example.org. 3600 IN CNAME www.example.org."])
    }

    @Test func aDanglingTargetGivesNXDomainWithTheChain() {
        let response = ask(zones, "dangling.example.org.", .a)
        #expect(response.rcode == .nxDomain && response.flags.contains(.aa))
        expectSection(response.answers, ["dangling.example.org. 3600 IN CNAME nothere.example.org."])
        expectSection(response.authority, exampleNegative)
    }

    @Test func aTargetWithoutTheTypeGivesNoData() {
        let response = ask(zones, "alias.example.org.", .mx)
        #expect(response.rcode == .noError)
        expectSection(response.answers, ["alias.example.org. 3600 IN CNAME www.example.org."])
        expectSection(response.authority, exampleNegative)
    }

    @Test func aTargetOutsideOurZonesEndsTheChain() {
        let response = ask(zones, "external.example.org.", .a)
        #expect(response.rcode == .noError && response.flags.contains(.aa) && response.authority.isEmpty)
        expectSection(response.answers, ["external.example.org. 3600 IN CNAME www.example.net."])
    }

    @Test func aTargetInAnotherServedZoneIsFollowed() {
        let response = ask(zones, "other.example.org.", .a)
        expectSection(
            response.answers,
            [
                "other.example.org. 3600 IN CNAME host.other.test.",
                "host.other.test. 600 IN A 198.51.100.1",
            ])
        let missing = ask(zones, "other.example.org.", .txt)
        expectSection(
            missing.authority, ["other.test. 120 IN SOA ns1.example.org. hostmaster.example.org. 7 3600 600 86400 120"])
    }

    @Test func aTargetBelowACutEndsInAReferral() {
        let response = ask(zones, "tosub.example.org.", .a)
        #expect(response.rcode == .noError && response.flags.contains(.aa))
        expectSection(response.answers, ["tosub.example.org. 3600 IN CNAME host.sub.example.org."])
        expectSection(
            response.authority,
            [
                "sub.example.org. 3600 IN NS ns.sub.example.org.",
                "sub.example.org. 3600 IN NS ns1.example.org.",
            ])
    }
}

/// RFC 2308: NXDOMAIN and NODATA carry the zone's SOA in the authority section with
/// TTL = min(SOA TTL, SOA MINIMUM) (§3), and no answer.
@Suite struct RFC2308_NegativeTests {
    @Test func nxDomainCarriesTheSOA() {
        let response = ask(exampleZones(), "nope.example.org.", .a)
        #expect(response.rcode == .nxDomain && response.flags.contains(.aa) && response.answers.isEmpty)
        expectSection(response.authority, exampleNegative)
        #expect(response.additional.isEmpty)
    }

    @Test func noDataCarriesTheSOA() {
        let response = ask(exampleZones(), "mail.example.org.", .aaaa)
        #expect(response.rcode == .noError && response.answers.isEmpty)
        expectSection(response.authority, exampleNegative)
    }

    @Test(arguments: [(3600, 300, 300), (60, 300, 60), (0, 300, 0), (86400, 86400, 86400)])
    func negativeTTLIsTheSmallerOfSOATTLAndMinimum(soaTTL: Int, minimum: Int, expected: Int) {
        let zone = loadZone(
            """
            @ \(soaTTL) SOA ns hostmaster 1 3600 600 86400 \(minimum)
            @ 60 NS ns
            ns 60 A 192.0.2.1
            """, origin: "example.org.")
        let response = ask(zoneSet(zone), "missing.example.org.", .a)
        #expect(response.authority.map(\.ttl) == [UInt32(expected)])
        #expect(response.authority.first?.type == .soa)
    }
}
