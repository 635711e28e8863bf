import DNSWire
import DNSZone
import Testing

/// Every class of zone-file error, with its message and file:line:column. The zone head takes
/// lines 1-4, so the line under test is line 5.
@Suite struct RFC1035_5_1_ZoneFileErrorTests {
    func errors(_ line: String, limits: ZoneFileLimits = ZoneFileLimits(), files: [String: String]? = nil) -> [String] {
        ZoneText.errors(zoneHead + line + "\n", limits: limits, files: files)
    }

    @Test func lexicalErrors() {
        #expect(
            errors("t TXT \"" + String(repeating: "x", count: 80) + "\"", limits: ZoneFileLimits(lineLengthMax: 60))
                == ["main.zone:5:61: line longer than 60 bytes"])
        #expect(errors("t TXT \"abc") == ["main.zone:5:7: unterminated quoted string"])
        #expect(errors("t TXT ( \"a\"") == ["main.zone:5:7: '(' is never closed"])
        #expect(errors("t TXT \"a\" )") == ["main.zone:5:11: ')' without '('"])
        #expect(errors("t TXT \"a\\25x\"") == ["main.zone:5:9: bad escape sequence"])
        #expect(errors("t TXT a\\256") == ["main.zone:5:8: bad escape sequence"])
    }

    @Test func directiveErrors() {
        #expect(errors("$GENERATE 1-10 host$ A 192.0.2.$") == ["main.zone:5:1: unknown directive $GENERATE"])
        #expect(errors("$ORIGIN") == ["main.zone:5:1: $ORIGIN needs an argument"])
        #expect(errors("$TTL 60 70") == ["main.zone:5:9: too many arguments to $TTL"])
        #expect(errors("$TTL forever") == ["main.zone:5:6: bad TTL 'forever'"])
        #expect(errors("$INCLUDE other.zone") == ["main.zone:5:1: $INCLUDE is not allowed here"])
        #expect(errors("$INCLUDE missing.inc", files: [:]) == ["main.zone:5:10: cannot read included file missing.inc"])
        #expect(
            errors("$INCLUDE loop.inc", files: ["loop.inc": "\n$INCLUDE loop.inc\n"])
                == ["loop.inc:2:1: $INCLUDE nested deeper than 8"])
        #expect(
            errors("$INCLUDE bad.inc", files: ["bad.inc": "x A 192.0.2.1\ny A 1.2.3\n"])
                == ["bad.inc:2:5: bad RDATA: A address: invalid (token 1)"])
    }

    @Test func ownerAndFieldErrors() {
        #expect(
            ZoneText.errors(" A 192.0.2.1\n" + zoneHead) == ["main.zone:1:1: blank owner name with no previous owner"])
        #expect(
            errors(String(repeating: "a", count: 64) + " A 192.0.2.1") == [
                "main.zone:5:1: bad domain name (labelTooLong)"
            ])
        #expect(errors("x..y A 192.0.2.1") == ["main.zone:5:1: bad domain name (emptyLabel)"])
        #expect(errors("x 1x A 192.0.2.1") == ["main.zone:5:3: bad TTL '1x'"])
        #expect(errors("x 2147483648 A 192.0.2.1") == ["main.zone:5:3: TTL 2147483648 above 2147483647"])
        #expect(errors("x 60 IN") == ["main.zone:5:8: missing record type"])
        #expect(errors("x 60 IN FOO bar") == ["main.zone:5:9: unknown record type 'FOO'"])
        #expect(errors("x ANY \\# 0") == ["main.zone:5:3: type ANY cannot appear in a zone file"])
        #expect(errors("x CH A 192.0.2.1") == ["main.zone:5:1: class CH differs from zone class IN"])
        #expect(errors("www.example.com. A 192.0.2.1") == ["main.zone:5:1: www.example.com. is outside the zone"])
    }

    @Test func rdataErrorsPointAtTheToken() {
        #expect(errors("x A 192.0.2.300") == ["main.zone:5:5: bad RDATA: A address: invalid (token 1)"])
        #expect(errors("mx MX 10") == ["main.zone:5:9: bad RDATA: MX exchange: missing (token 2)"])
        #expect(
            errors("s SRV 1 2 (\n 99999 target )") == ["main.zone:6:2: bad RDATA: SRV port: out of range (token 3)"])
        #expect(errors("x A \\# 0") == ["main.zone:5:3: empty RDATA for A"])
        #expect(
            errors("x HINFO \"pc\" \"os\"") == [
                "main.zone:5:9: bad RDATA: HINFO rdata: needs the RFC 3597 \\# form (token 1)"
            ])
    }

    @Test func limits() {
        #expect(
            errors("x A 192.0.2.1\ny A 192.0.2.2", limits: ZoneFileLimits(recordCountMax: 4))
                == ["main.zone:6:1: more than 4 records"])
        let many = (1...5).map { "x\($0) A bad" }.joined(separator: "\n")
        #expect(
            errors(many, limits: ZoneFileLimits(errorCountMax: 2)) == [
                "main.zone:5:6: bad RDATA: A address: invalid (token 1)",
                "main.zone:6:6: bad RDATA: A address: invalid (token 1)",
                "main.zone:7:6: more than 2 errors, giving up",
            ])
    }

    @Test func everyErrorInTheFileIsReported() {
        #expect(
            errors("a A 1\nb 1x A 192.0.2.1\n\"c\n$FOO\nd MX 10 mail\ne CNAME d") == [
                "main.zone:5:5: bad RDATA: A address: invalid (token 1)",
                "main.zone:6:3: bad TTL '1x'",
                "main.zone:7:1: unterminated quoted string",
                "main.zone:8:1: unknown directive $FOO",
            ])
    }

    @Test func validationProblemsAreLocatedAtTheirRRset() {
        #expect(
            errors("www A 192.0.2.1\nwww CNAME ns1")
                == ["main.zone:5:1: www.example.org. A: CNAME and other data at the same name"])
        #expect(
            ZoneText.errors("$TTL 60\n@ NS ns1\nns1 A 192.0.2.1\n")
                == ["main.zone:2:1: example.org. SOA: the zone has no SOA record at its apex"])
        #expect(
            errors("sub NS ns.sub\nns.sub A 192.0.2.9\nwww.sub A 192.0.2.10\nmail.sub MX 10 ns.sub")
                == [
                    "main.zone:8:1: mail.sub.example.org. MX: MX data below the delegation at sub.example.org. is not glue"
                ])
    }
}
