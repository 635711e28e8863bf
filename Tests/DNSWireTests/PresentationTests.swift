import DNSWire
import Testing

/// Known-answer presentation texts (the same forms dnspython prints; the differential test in
/// Tests/interop checks thousands more).
@Suite struct PresentationTests {
    let name = DNSName("svc.dyn.example.")!

    @Test(arguments: [
        (RData.a(IPv4Address(192, 0, 2, 1)), "192.0.2.1"),
        (.aaaa(IPv6Address("2001:db8:0:0:1:0:0:1")!), "2001:db8::1:0:0:1"),
        (.aaaa(IPv6Address("::ffff:192.0.2.1")!), "::ffff:192.0.2.1"),
        (.aaaa(IPv6Address("::")!), "::"),
        (.mx(preference: 10, exchange: DNSName("mx.dyn.example.")!), "10 mx.dyn.example."),
        (.txt([Array("v=spf1 -all".utf8), [0x22, 0x5C, 0x09]]), "\"v=spf1 -all\" \"\\\"\\\\\\009\""),
        (.caa(CAA(flags: 0, tag: Array("issue".utf8), value: Array("letsencrypt.org".utf8))), "0 issue \"letsencrypt.org\""),
        (.srv(SRV(priority: 0, weight: 5, port: 5060, target: DNSName("sip.dyn.example.")!)), "0 5 5060 sip.dyn.example."),
        (.ds(DS(keyTag: 60485, algorithm: 5, digestType: 1, digest: TextEncoding.unhex("2BB183AF5F22588179A53B0A98631FAD1A292118")!)),
         "60485 5 1 2bb183af5f22588179a53b0a98631fad1a292118"),
        (.nsec(NSEC(next: DNSName("host.example.com.")!, types: [.mx, .a, .rrsig, .nsec, RRType(1234)])),
         "host.example.com. A MX RRSIG NSEC TYPE1234"),
        (.unknown(RRType(65_280), [0xAB, 0xCD]), "\\# 2 abcd"),
        (.https(SVCB(priority: 1, target: .root, params: [
            SVCParam(key: 1, value: [2, 0x68, 0x32, 2, 0x68, 0x33]), SVCParam(key: 3, value: [1, 0xBB]),
        ])), "1 . alpn=\"h2,h3\" port=\"443\""),
    ])
    func rdataText(rdata: RData, text: String) {
        #expect(rdata.description == text)
    }

    @Test func rrsigTimesAreCalendarDates() {
        #expect(TextEncoding.signatureTime(1_048_354_263) == "20030322173103")
        #expect(TextEncoding.parseSignatureTime("20030322173103") == 1_048_354_263)
        #expect(TextEncoding.civilDate(daysSinceEpoch: 0) == (1970, 1, 1))
    }

    @Test func encodings() {
        #expect(TextEncoding.base64([0xFB, 0xFF]) == "+/8=")
        #expect(TextEncoding.unbase64("+/8=") == [0xFB, 0xFF])
        #expect(TextEncoding.base32Hex([0xFF, 0x00, 0x11]) == "vs012")
        #expect(TextEncoding.unbase32Hex("VS012") == [0xFF, 0x00, 0x11])
    }

    @Test func recordLine() {
        let record = ResourceRecord(name: name, ttl: 60, rdata: .a(IPv4Address(192, 0, 2, 7)))
        #expect(record.description == "svc.dyn.example. 60 IN A 192.0.2.7")
    }
}
