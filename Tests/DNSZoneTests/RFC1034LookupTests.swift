import DNSWire
import DNSZone
import Testing

/// The zone most lookup tests use: apex data, in-zone name servers, CNAME chains, an empty
/// non-terminal, a delegation with glue, SRV and MX targets.
let exampleOrgZone = """
    $ORIGIN example.org.
    $TTL 3600
    @         SOA   ns1 hostmaster 2024010101 7200 3600 1209600 300
              NS    ns1
              NS    ns2.example.net.
              MX    10 mail
    ns1       A     192.0.2.53
              AAAA  2001:db8::53
    mail      A     192.0.2.25
    www       A     192.0.2.80
              AAAA  2001:db8::80
    alias     CNAME www
    chain1    CNAME chain2
    chain2    CNAME chain3
    chain3    CNAME alias
    loop1     CNAME loop2
    loop2     CNAME loop1
    dangling  CNAME nothere
    external  CNAME www.example.net.
    other     CNAME host.other.test.
    tosub     CNAME host.sub
    a.b.ent   A     192.0.2.7
    sub       NS    ns.sub
              NS    ns1
              DS    12345 13 2 0123456789abcdef
    ns.sub    A     192.0.2.99
    _sip._udp SRV   10 5 5060 sip
    sip       A     192.0.2.60
    """

let otherTestZone = """
    $ORIGIN other.test.
    $TTL 600
    @    SOA ns1.example.org. hostmaster.example.org. 7 3600 600 86400 120
         NS  ns1.example.org.
    host A   198.51.100.1
    """

func exampleZones() -> ZoneSet {
    zoneSet(loadZone(exampleOrgZone, origin: "example.org."), loadZone(otherTestZone, origin: "other.test."))
}

let exampleNegative = [
    "example.org. 300 IN SOA ns1.example.org. hostmaster.example.org. 2024010101 7200 3600 1209600 300"
]

/// RFC 1034 §4.3.2: authoritative answers, referrals, additional-section processing, and the
/// header checks around them.
@Suite struct RFC1034_4_3_2_LookupTests {
    let zones = exampleZones()

    @Test func exactMatchIsAuthoritative() {
        let response = ask(zones, "www.example.org.", .a)
        #expect(response.rcode == .noError && response.flags.contains(.aa))
        expectSection(response.answers, ["www.example.org. 3600 IN A 192.0.2.80"])
        #expect(response.authority.isEmpty && response.additional.isEmpty)
    }

    @Test func qnameMatchingIgnoresCase() {
        expectSection(ask(zones, "WWW.Example.ORG.", .aaaa).answers, ["www.example.org. 3600 IN AAAA 2001:db8::80"])
    }

    @Test func mxTargetsGetAddressesInAdditional() {
        let response = ask(zones, "example.org.", .mx)
        expectSection(response.answers, ["example.org. 3600 IN MX 10 mail.example.org."])
        expectSection(response.additional, ["mail.example.org. 3600 IN A 192.0.2.25"])
    }

    @Test func nsTargetsInZoneGetAddressesOthersDoNot() {
        let response = ask(zones, "example.org.", .ns)
        expectSection(
            response.answers,
            [
                "example.org. 3600 IN NS ns1.example.org.",
                "example.org. 3600 IN NS ns2.example.net.",
            ])
        expectSection(
            response.additional,
            [
                "ns1.example.org. 3600 IN A 192.0.2.53",
                "ns1.example.org. 3600 IN AAAA 2001:db8::53",
            ])
    }

    @Test func srvTargetsGetAddresses() {
        let response = ask(zones, "_sip._udp.example.org.", .srv)
        expectSection(response.answers, ["_sip._udp.example.org. 3600 IN SRV 10 5 5060 sip.example.org."])
        expectSection(response.additional, ["sip.example.org. 3600 IN A 192.0.2.60"])
    }

    @Test func referralBelowACutCarriesNSAndGlue() {
        let response = ask(zones, "host.sub.example.org.", .a)
        #expect(response.rcode == .noError && !response.flags.contains(.aa) && response.answers.isEmpty)
        expectSection(
            response.authority,
            [
                "sub.example.org. 3600 IN NS ns.sub.example.org.",
                "sub.example.org. 3600 IN NS ns1.example.org.",
            ])
        expectSection(
            response.additional,
            [
                "ns.sub.example.org. 3600 IN A 192.0.2.99",
                "ns1.example.org. 3600 IN A 192.0.2.53",
                "ns1.example.org. 3600 IN AAAA 2001:db8::53",
            ])
    }

    @Test func nsQueryAtTheCutIsAReferral() {
        let response = ask(zones, "sub.example.org.", .ns)
        #expect(!response.flags.contains(.aa) && response.answers.isEmpty && response.authority.count == 2)
    }

    @Test func dsAtTheCutIsAnsweredByTheParent() {
        let response = ask(zones, "sub.example.org.", .ds)
        #expect(response.flags.contains(.aa))
        expectSection(response.answers, ["sub.example.org. 3600 IN DS 12345 13 2 0123456789abcdef"])
    }

    @Test func glueIsNotServedAuthoritatively() {
        let response = ask(zones, "ns.sub.example.org.", .a)
        #expect(!response.flags.contains(.aa) && response.answers.isEmpty && response.authority.count == 2)
    }

    @Test func emptyNonTerminalIsNoData() {
        for qname in ["ent.example.org.", "b.ent.example.org."] {
            let response = ask(zones, qname, .a)
            #expect(response.rcode == .noError && response.answers.isEmpty && response.flags.contains(.aa))
            expectSection(response.authority, exampleNegative)
        }
        expectSection(ask(zones, "a.b.ent.example.org.", .a).answers, ["a.b.ent.example.org. 3600 IN A 192.0.2.7"])
    }

    @Test func anyQueryMinimalByDefaultOrEveryRRset() {
        expectSection(ask(zones, "www.example.org.", .any).answers, ["www.example.org. 3600 IN A 192.0.2.80"])
        let all = ask(zones, "www.example.org.", .any, options: LookupOptions(anyPolicy: .allRRsets))
        expectSection(
            all.answers, ["www.example.org. 3600 IN A 192.0.2.80", "www.example.org. 3600 IN AAAA 2001:db8::80"])
        expectSection(
            ask(zones, "alias.example.org.", .any).answers, ["alias.example.org. 3600 IN CNAME www.example.org."])
    }

    @Test func namesOutsideEveryZoneAreRefused() {
        let response = ask(zones, "www.example.com.", .a)
        #expect(response.rcode == .refused && !response.flags.contains(.aa) && response.answers.isEmpty)
        #expect(ask(zones, "org.", .soa).rcode == .refused)
    }

    @Test func anotherClassIsRefused() {
        var query = Message.query(id: 1, name: name("www.example.org."), type: .a)
        query.questions[0].class = .ch
        #expect(zones.answer(query) == .response(query.makeResponse(rcode: .refused), .refused))
    }

    @Test func notExactlyOneQuestionIsFormErr() {
        var query = Message.query(id: 7, name: name("www.example.org."), type: .a)
        query.questions.append(Question(name: name("mail.example.org."), type: .a))
        #expect(zones.answer(query).message?.rcode == .formErr)
        query.questions = []
        #expect(zones.answer(query) == .response(query.makeResponse(rcode: .formErr), .formErr))
    }

    @Test func opcodesOtherThanQueryAreNotImp() {
        for opcode in [Opcode.notify, .update, .iquery, .status] {
            var query = Message.query(id: 9, name: name("example.org."), type: .soa)
            query.opcode = opcode
            let response = zones.answer(query)
            #expect(response.message?.rcode == .notImp && response.message?.opcode == opcode)
        }
    }

    @Test func zoneTransfersAreHandedOn() {
        let axfr = Message.query(id: 3, name: name("example.org."), type: .axfr)
        #expect(zones.answer(axfr) == .transfer(TransferRequest(query: axfr, zone: name("example.org."), type: .axfr)))
        let ixfr = Message.query(id: 4, name: name("other.test."), type: .ixfr)
        guard case .transfer(let request) = zones.answer(ixfr) else {
            Issue.record("no transfer")
            return
        }
        #expect(request.type == .ixfr && request.zone == name("other.test."))
        let notApex = Message.query(id: 5, name: name("www.example.org."), type: .axfr)
        #expect(zones.answer(notApex).message?.rcode == .notAuth)
    }

    @Test func ednsIsEchoedAndOnlyVersionZeroIsKnown() {
        let query = Message.query(
            id: 1, name: name("www.example.org."), type: .a, edns: EDNS(udpPayloadSize: 4096, dnssecOK: true))
        let response = zones.answer(query, options: LookupOptions(ednsUDPPayloadSize: 1400)).message
        #expect(response?.edns == EDNS(udpPayloadSize: 1400, dnssecOK: true) && response?.answers.count == 1)
        var versioned = EDNS()
        versioned.version = 1
        let badVersion = Message.query(id: 2, name: name("www.example.org."), type: .a, edns: versioned)
        guard case .response(let message, .badVers) = zones.answer(badVersion) else {
            Issue.record("no BADVERS")
            return
        }
        #expect(message.rcode == .badVers && message.edns?.version == 0 && message.answers.isEmpty)
        #expect(zones.answer(Message.query(id: 3, name: name("www.example.org."), type: .a)).message?.edns == nil)
    }

    @Test func theLongestOriginWins() throws {
        let child = loadZone(
            """
            $TTL 60
            @ SOA ns.sub.example.org. hostmaster.example.org. 1 3600 600 86400 30
              NS ns.sub.example.org.
            host A 192.0.2.123
            """, origin: "sub.example.org.")
        var zones = exampleZones()
        #expect(zones.replace(child) == nil)
        let response = ask(zones, "host.sub.example.org.", .a)
        #expect(response.flags.contains(.aa))
        expectSection(response.answers, ["host.sub.example.org. 60 IN A 192.0.2.123"])
        // DS lives on the parent side of the cut (RFC 4035 §3.1.4.1), so the parent answers it.
        expectSection(
            ask(zones, "sub.example.org.", .ds).answers, ["sub.example.org. 3600 IN DS 12345 13 2 0123456789abcdef"])
        #expect(throws: ZoneSetError.duplicateOrigin(name("sub.example.org."))) { try ZoneSet([child, child]) }
    }
}
