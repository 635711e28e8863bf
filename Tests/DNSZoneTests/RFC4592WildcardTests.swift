import DNSWire
import DNSZone
import Testing

/// RFC 4592 §2.2.1: the example zone, with the SOA and SRV RDATA the RFC leaves out filled in.
let rfc4592Zone = """
    $ORIGIN example.
    example.                 3600 IN  SOA   ns.example.com. hostmaster.example. 1 3600 600 86400 300
    example.                 3600     NS    ns.example.com.
    example.                 3600     NS    ns.example.net.
    *.example.               3600     TXT   "this is a wildcard"
    *.example.               3600     MX    10 host1.example.
    sub.*.example.           3600     TXT   "this is not a wildcard"
    host1.example.           3600     A     192.0.2.1
    _ssh._tcp.host1.example. 3600     SRV   0 0 22 host1.example.
    _ssh._tcp.host2.example. 3600     SRV   0 0 22 host2.example.
    subdel.example.          3600     NS    ns.example.com.
    subdel.example.          3600     NS    ns.example.net.
    """

/// RFC 4592 wildcards: closest encloser, source of synthesis, owner rewritten to the QNAME, names
/// that exist (empty non-terminals included) block synthesis, cuts win over wildcards.
@Suite struct RFC4592_WildcardTests {
    let zones = zoneSet(loadZone(rfc4592Zone, origin: "example."))
    let negative = ["example. 300 IN SOA ns.example.com. hostmaster.example. 1 3600 600 86400 300"]

    // RFC 4592 §2.2.1, "The following responses would be synthesized from one of the wildcards".

    @Test func host3MXIsSynthesized() {
        let response = ask(zones, "host3.example.", .mx)
        #expect(response.rcode == .noError && response.flags.contains(.aa))
        expectSection(response.answers, ["host3.example. 3600 IN MX 10 host1.example."])
        expectSection(response.additional, ["host1.example. 3600 IN A 192.0.2.1"])
    }

    @Test func host3AIsNoDataBecauseTheWildcardHasNoA() {
        let response = ask(zones, "host3.example.", .a)
        #expect(response.rcode == .noError && response.answers.isEmpty)
        expectSection(response.authority, negative)
    }

    @Test func fooBarTXTIsSynthesizedBecauseBarDoesNotExist() {
        let response = ask(zones, "foo.bar.example.", .txt)
        expectSection(response.answers, ["foo.bar.example. 3600 IN TXT \"this is a wildcard\""])
    }

    // RFC 4592 §2.2.1, "The following responses would not be synthesized from any of the wildcards".

    @Test func host1MXIsNoDataBecauseHost1Exists() {
        let response = ask(zones, "host1.example.", .mx)
        #expect(response.rcode == .noError && response.answers.isEmpty && response.flags.contains(.aa))
        expectSection(response.authority, negative)
    }

    @Test func subStarMXIsNoDataBecauseSubStarExists() {
        let response = ask(zones, "sub.*.example.", .mx)
        #expect(response.rcode == .noError && response.answers.isEmpty)
        expectSection(response.authority, negative)
    }

    @Test func telnetIsNXDomainBecauseTcpHost1ExistsWithoutData() {
        let response = ask(zones, "_telnet._tcp.host1.example.", .srv)
        #expect(response.rcode == .nxDomain && response.answers.isEmpty)
        expectSection(response.authority, negative)
    }

    @Test func hostSubdelIsAReferralBecauseSubdelIsACut() {
        let response = ask(zones, "host.subdel.example.", .a)
        #expect(response.rcode == .noError && !response.flags.contains(.aa) && response.answers.isEmpty)
        expectSection(
            response.authority,
            [
                "subdel.example. 3600 IN NS ns.example.com.",
                "subdel.example. 3600 IN NS ns.example.net.",
            ])
        #expect(response.additional.isEmpty)
    }

    @Test func ghostStarIsNXDomainBecauseStarExampleExists() {
        let response = ask(zones, "ghost.*.example.", .mx)
        #expect(response.rcode == .nxDomain)
        expectSection(response.authority, negative)
    }

    // RFC 4592 §2.2.2 and §3.3.

    @Test func emptyNonTerminalIsNoDataNotSynthesized() {
        let response = ask(zones, "_tcp.host1.example.", .txt)
        #expect(response.rcode == .noError && response.answers.isEmpty)
        expectSection(response.authority, negative)
    }

    @Test func theWildcardNameItselfIsOrdinaryData() {
        expectSection(ask(zones, "*.example.", .txt).answers, ["*.example. 3600 IN TXT \"this is a wildcard\""])
    }

    @Test func deepNamesAreSynthesizedFromTheApexWildcard() {
        expectSection(ask(zones, "a.b.c.example.", .txt).answers, ["a.b.c.example. 3600 IN TXT \"this is a wildcard\""])
    }

    @Test func qnameCaseIsKeptInTheSynthesizedOwner() {
        #expect(ask(zones, "Host3.Example.", .mx).answers.map(\.name.description) == ["Host3.Example."])
    }

    @Test func wildcardCNAMEIsSynthesizedAndFollowed() {
        let zone = loadZone(
            """
            $TTL 300
            @ SOA ns hostmaster 1 3600 600 86400 60
            @ NS ns
            ns A 192.0.2.53
            www A 192.0.2.80
            *.apps CNAME www
            """, origin: "example.org.")
        let response = ask(zoneSet(zone), "shop.apps.example.org.", .a)
        #expect(response.rcode == .noError && response.flags.contains(.aa))
        expectSection(
            response.answers,
            [
                "shop.apps.example.org. 300 IN CNAME www.example.org.",
                "www.example.org. 300 IN A 192.0.2.80",
            ])
    }

    @Test func anyQueryIsAnsweredFromTheWildcard() {
        let all = ask(zones, "host9.example.", .any, options: LookupOptions(anyPolicy: .allRRsets))
        expectSection(
            all.answers,
            [
                "host9.example. 3600 IN MX 10 host1.example.",
                "host9.example. 3600 IN TXT \"this is a wildcard\"",
            ])
        let minimal = ask(zones, "host9.example.", .any)
        expectSection(minimal.answers, ["host9.example. 3600 IN MX 10 host1.example."])
    }
}
