import DNSWire
import DNSZone
import Testing

/// RDATA presentation parsing (RFC 1035 §5.1 and each type's RFC): known answers, errors that name
/// the field and token, and the round trip `RData(type:text: r.description) == r`.
@Suite struct RFC1035_5_1_RDataPresentationTests {
    let origin = name("example.org.")

    func parse(_ type: RRType, _ text: String) throws -> RData {
        try RData(type: type, text: text, origin: origin)
    }

    func parseError(_ type: RRType, _ text: String) -> RDataParseError? {
        do {
            _ = try RData(type: type, text: text, origin: origin)
            return nil
        } catch {
            return error
        }
    }

    @Test func addressesAndNames() throws {
        #expect(try parse(.a, "192.0.2.1") == .a(IPv4Address(192, 0, 2, 1)))
        #expect(try parse(.aaaa, "2001:db8::1").description == "2001:db8::1")
        #expect(try parse(.ns, "ns1") == .ns(name("ns1.example.org.")))
        #expect(try parse(.cname, "@") == .cname(origin))
        #expect(try parse(.ptr, "host.example.net.") == .ptr(name("host.example.net.")))
        #expect(try parse(.mx, "10 mail") == .mx(preference: 10, exchange: name("mail.example.org.")))
        // A `\.` inside a label is kept as one label: names parse from the escaped text.
        #expect(
            try parse(.cname, "a\\.b.example.")
                == .cname(try DNSName(labels: [Array("a.b".utf8), Array("example".utf8)])))
    }

    @Test func soaTimersAcceptTTLUnits() throws {
        let soa = try parse(.soa, "ns1 hostmaster 2024010101 1h 15m 1w 5m")
        #expect(
            soa
                == .soa(
                    SOA(
                        mname: name("ns1.example.org."), rname: name("hostmaster.example.org."),
                        serial: 2_024_010_101, refresh: 3600, retry: 900, expire: 604_800, minimum: 300)))
    }

    @Test func txtCharacterStrings() throws {
        #expect(try parse(.txt, "\"v=spf1 -all\" second") == .txt([Array("v=spf1 -all".utf8), Array("second".utf8)]))
        #expect(try parse(.txt, "\"a\\034b\\\\c\\\"\"") == .txt([[0x61, 0x22, 0x62, 0x5C, 0x63, 0x22]]))
        #expect(try parse(.txt, "\"\"") == .txt([[]]))
    }

    @Test func srvCaaAndHTTPS() throws {
        #expect(
            try parse(.srv, "10 5 5060 sip")
                == .srv(
                    SRV(
                        priority: 10, weight: 5, port: 5060,
                        target: name("sip.example.org."))))
        #expect(
            try parse(.caa, "0 issue \"ca.example.net\"")
                == .caa(CAA(flags: 0, tag: Array("issue".utf8), value: Array("ca.example.net".utf8))))
        let https = try parse(.https, "1 . alpn=\"h3,h2\" port=8443 ipv4hint=192.0.2.1,192.0.2.2 mandatory=port,alpn")
        #expect(
            https.description
                == "1 . mandatory=\"alpn,port\" alpn=\"h3,h2\" port=\"8443\" ipv4hint=\"192.0.2.1,192.0.2.2\"")
        let unquoted = try parse(
            .svcb, "0 svc.example.net. no-default-alpn alpn=h2 ech=AAEC ipv6hint=2001:db8::1 key65000")
        #expect(
            unquoted.description
                == "0 svc.example.net. alpn=\"h2\" no-default-alpn ech=\"AAEC\" ipv6hint=\"2001:db8::1\" key65000")
        // RFC 9460 Appendix A.1: `\,` inside a value-list is a comma inside one alpn-id.
        let escaped = try parse(.https, "1 . alpn=\"f\\\\\\\\oo\\\\,bar,h2\"")
        #expect(
            escaped
                == .https(
                    SVCB(
                        priority: 1, target: .root,
                        params: [
                            SVCParam(key: 1, value: [8] + Array("f\\oo,bar".utf8) + [2] + Array("h2".utf8))
                        ])))
    }

    @Test func dnssecTypes() throws {
        #expect(
            try parse(.ds, "12345 13 2 ABCDEF01 23456789")
                == .ds(
                    DS(
                        keyTag: 12345, algorithm: 13, digestType: 2,
                        digest: [0xAB, 0xCD, 0xEF, 0x01, 0x23, 0x45, 0x67, 0x89])))
        #expect(
            try parse(.dnskey, "257 3 13 AQID BA==")
                == .dnskey(DNSKEY(flags: 257, proto: 3, algorithm: 13, publicKey: [1, 2, 3, 4])))
        let sig = try parse(.rrsig, "A 13 2 3600 20240102030405 1704164645 42 example.org. AQID")
        guard case .rrsig(let rrsig) = sig else {
            Issue.record("not an RRSIG")
            return
        }
        #expect(rrsig.expiration == 1_704_164_645 && rrsig.inception == 1_704_164_645)
        #expect(
            try parse(.nsec, "host.example.org. A AAAA RRSIG NSEC TYPE65000")
                == .nsec(NSEC(next: name("host.example.org."), types: [.a, .aaaa, .rrsig, .nsec, RRType(65000)])))
        #expect(
            try parse(.nsec3, "1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A").description
                == "1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A")
        #expect(
            try parse(.tsig, "hmac-sha256. 1700000000 300 0 \"\" 4660 BADTIME 0").description
                == "hmac-sha256. 1700000000 300 0 \"\" 4660 BADTIME 0")
    }

    @Test func errorsNameTheFieldAndToken() {
        #expect(
            parseError(.a, "192.0.2") == RDataParseError(type: .a, field: "address", tokenIndex: 0, reason: .invalid))
        #expect(parseError(.mx, "10") == RDataParseError(type: .mx, field: "exchange", tokenIndex: 1, reason: .missing))
        #expect(
            parseError(.mx, "65536 mail")
                == RDataParseError(
                    type: .mx, field: "preference", tokenIndex: 0,
                    reason: .outOfRange))
        #expect(
            parseError(.a, "192.0.2.1 extra")
                == RDataParseError(
                    type: .a, field: "rdata", tokenIndex: 1,
                    reason: .unexpectedToken))
        #expect(parseError(.txt, "") == RDataParseError(type: .txt, field: "txt-data", tokenIndex: 0, reason: .missing))
        #expect(parseError(.txt, String(repeating: "x", count: 256))?.reason == .outOfRange)
        #expect(
            parseError(.caa, "0 bad-tag \"x\"")
                == RDataParseError(
                    type: .caa, field: "tag", tokenIndex: 1,
                    reason: .invalid))
        #expect(
            parseError(.https, "1 . alpn=h2 alpn=h3")
                == RDataParseError(
                    type: .https, field: "alpn", tokenIndex: 3,
                    reason: .duplicateKey))
        #expect(parseError(.https, "1 . port=http")?.field == "port")
        #expect(parseError(.https, "1 . alpn")?.reason == .missing)
        #expect(parseError(.https, "1 . bogus=1")?.field == "svcparamkey")
        #expect(parseError(.rrsig, "A 13 2 3600 2024 x 42 example.org. AQID")?.field == "inception")
        #expect(parseError(.mx, "10 a..b")?.field == "exchange")
        #expect(parseError(.mx, "10 mail")?.description == nil)
        #expect(parseError(.mx, "x mail")?.description == "MX preference: invalid (token 1)")
    }
}

/// RFC 3597 §5: `\# length hex` for any type, including the ones we type.
@Suite struct RFC3597_5_GenericRDataTests {
    @Test func genericFormOfKnownTypesDecodes() throws {
        #expect(try RData(type: .a, text: "\\# 4 C0000201", origin: nil) == .a(IPv4Address(192, 0, 2, 1)))
        #expect(try RData(type: .mx, text: "\\# 3 000a 00", origin: nil) == .mx(preference: 10, exchange: .root))
        #expect(try RData(type: .txt, text: "\\# 0", origin: nil) == .empty(.txt))
    }

    @Test func genericFormOfUnknownTypes() throws {
        #expect(
            try RData(type: RRType(65534), text: "\\# 3 010203", origin: nil) == .unknown(RRType(65534), [1, 2, 3]))
        #expect(try RData(type: RRType(1234), text: "\\# 0", origin: nil) == .unknown(RRType(1234), []))
    }

    @Test func genericFormErrors() {
        func reason(_ type: RRType, _ text: String) -> RDataParseError.Reason? {
            do { _ = try RData(type: type, text: text, origin: nil) } catch { return error.reason }
            return nil
        }
        #expect(reason(RRType(999), "\\# 3 0102") == .lengthMismatch)
        #expect(reason(.a, "\\# 3 010203") == .lengthMismatch)
        #expect(reason(RRType(999), "abc") == .genericFormRequired)
        #expect(reason(RRType(999), "\\# x") == .invalid)
        #expect(reason(RRType(999), "\\# 2 zz") == .invalid)
    }
}

/// The round-trip property: for every RDATA r, parsing the tokens of r.description gives r back,
/// through `RDataToken.split` and through the zone-file lexer.
@Suite struct RDataPresentationRoundTripTests {
    static let seeds: [UInt64] = [1, 2, 3, 0xDD05_1AB5]

    @Test(arguments: seeds) func roundTripThroughSplit(seed: UInt64) {
        var random = TestRandom(state: seed)
        for iteration in 0..<1500 {
            let rdata = RDataGenerator.rdata(&random)
            let text = rdata.description
            do {
                let parsed = try RData(type: rdata.type, text: text, origin: nil)
                #expect(parsed == rdata, "seed \(seed) iteration \(iteration): \(rdata.type) \(text)")
            } catch {
                Issue.record("seed \(seed) iteration \(iteration): \(rdata.type) \(text): \(error)")
            }
        }
    }

    @Test(arguments: seeds) func roundTripThroughZoneLexer(seed: UInt64) {
        var random = TestRandom(state: seed)
        var lines: [String] = []
        var expected: [RData] = []
        while expected.count < 400 {
            let rdata = RDataGenerator.rdata(&random)
            if rdata.type.isMetaType { continue }
            if case .empty = rdata { continue }
            lines.append("r\(expected.count) 60 IN \(rdata.type) \(rdata.description)")
            expected.append(rdata)
        }
        let parsed = ZoneFileParser.parseRecords(lines.joined(separator: "\n"), fileName: "rt", origin: .root)
        #expect(parsed.errors.isEmpty, "seed \(seed): \(parsed.errors.prefix(3))")
        #expect(parsed.records.map(\.record.rdata) == expected, "seed \(seed)")
    }
}
