import DNSWire
import DNSZone
import Testing

/// Helpers for reading zone-file text in tests.
enum ZoneText {
    static func records(
        _ text: String, origin: String = "example.org.", files: [String: String] = [:],
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) -> [String] {
        let parsed = ZoneFileParser.parseRecords(
            text, fileName: "zones/main.zone", origin: name(origin),
            loader: { files[$0] })
        #expect(parsed.errors.isEmpty, "\(parsed.errors)", sourceLocation: sourceLocation)
        return parsed.records.map(\.record.description)
    }

    static func errors(
        _ text: String, origin: String = "example.org.", limits: ZoneFileLimits = ZoneFileLimits(),
        files: [String: String]? = nil
    ) -> [String] {
        let loader: ZoneFileParser.Loader? = files.map { files in { files[$0] } }
        do {
            _ = try ZoneFileParser.load(
                text, fileName: "main.zone", origin: name(origin), limits: limits,
                loader: loader)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }
}

/// A minimal valid zone head, so error tests see only the error they provoke.
let zoneHead = """
    $TTL 3600
    @ SOA ns1 hostmaster 1 7200 3600 1209600 300
      NS ns1
    ns1 A 192.0.2.53

    """

/// RFC 1035 §5.1 master-file format: directives, owners, fields, continuation, quoting.
@Suite struct RFC1035_5_1_ZoneFileTests {
    @Test func originDirectiveAbsoluteAndRelative() {
        let records = ZoneText.records(
            """
            $TTL 60
            www A 192.0.2.1
            $ORIGIN sub.example.org.
            host A 192.0.2.2
            $ORIGIN deeper
            x A 192.0.2.3
            @ A 192.0.2.4
            """)
        #expect(
            records == [
                "www.example.org. 60 IN A 192.0.2.1", "host.sub.example.org. 60 IN A 192.0.2.2",
                "x.deeper.sub.example.org. 60 IN A 192.0.2.3", "deeper.sub.example.org. 60 IN A 192.0.2.4",
            ])
    }

    @Test func blankOwnerRepeatsThePreviousOwner() {
        let records = ZoneText.records("$TTL 60\nhost A 192.0.2.1\n  AAAA 2001:db8::1\n\tTXT hi\n")
        #expect(
            records == [
                "host.example.org. 60 IN A 192.0.2.1", "host.example.org. 60 IN AAAA 2001:db8::1",
                "host.example.org. 60 IN TXT \"hi\"",
            ])
    }

    @Test func parenthesesSpanLinesAndCommentsAreIgnored() {
        let records = ZoneText.records(
            """
            $TTL 60 ; default
            @ IN SOA ns1 hostmaster ( ; a comment inside
                    2024010101 ; serial
                    1h         ; refresh
                    15m 1w
                    5m )
            txt TXT ( "one" ; first
                      "two" )
            """)
        #expect(
            records == [
                "example.org. 60 IN SOA ns1.example.org. hostmaster.example.org. 2024010101 3600 900 604800 300",
                "txt.example.org. 60 IN TXT \"one\" \"two\"",
            ])
    }

    @Test func quotedStringsWithEscapes() {
        let records = ZoneText.records(
            """
            $TTL 60
            t TXT "say \\"hi\\"; not a comment" "tab\\009end" "\\\\" unquoted\\ space
            a\\.b A 192.0.2.1
            """)
        #expect(
            records == [
                "t.example.org. 60 IN TXT \"say \\\"hi\\\"; not a comment\" \"tab\\009end\" \"\\\\\" \"unquoted space\"",
                "a\\.b.example.org. 60 IN A 192.0.2.1",
            ])
    }

    @Test func classAndTTLInEitherOrderWithUnits() {
        let records = ZoneText.records(
            """
            a 1h30m IN A 192.0.2.1
            b IN 1w A 192.0.2.2
            c 2D A 192.0.2.3
            d in 90s a 192.0.2.4
            """)
        #expect(
            records == [
                "a.example.org. 5400 IN A 192.0.2.1", "b.example.org. 604800 IN A 192.0.2.2",
                "c.example.org. 172800 IN A 192.0.2.3", "d.example.org. 90 IN A 192.0.2.4",
            ])
    }

    @Test func includeWithOriginRelativeToTheIncludingFile() {
        let files = [
            "zones/customers.inc": "alice A 192.0.2.10\n$ORIGIN elsewhere.example.org.\nbob A 192.0.2.11\n",
            "zones/sub/hosts.inc": "host A 192.0.2.12\n$INCLUDE more.inc\n",
            "zones/sub/more.inc": "more A 192.0.2.13\n",
        ]
        let records = ZoneText.records(
            """
            $TTL 60
            $INCLUDE customers.inc
            after A 192.0.2.1
            $INCLUDE "sub/hosts.inc" sub
              AAAA 2001:db8::2
            """, files: files)
        #expect(
            records == [
                "alice.example.org. 60 IN A 192.0.2.10", "bob.elsewhere.example.org. 60 IN A 192.0.2.11",
                "after.example.org. 60 IN A 192.0.2.1", "host.sub.example.org. 60 IN A 192.0.2.12",
                "more.sub.example.org. 60 IN A 192.0.2.13", "after.example.org. 60 IN AAAA 2001:db8::2",
            ])
    }

    @Test func genericTypeAndRDataForms() {
        let records = ZoneText.records("$TTL 60\nx TYPE65280 \\# 2 abcd\ny TYPE1 \\# 4 c0000201\n")
        #expect(records == ["x.example.org. 60 IN TYPE65280 \\# 2 abcd", "y.example.org. 60 IN A 192.0.2.1"])
    }

    @Test func crlfLineEndings() {
        #expect(
            ZoneText.records("$TTL 60\r\nx A 192.0.2.1\r\n  TXT \"a b\"\r\n")
                == ["x.example.org. 60 IN A 192.0.2.1", "x.example.org. 60 IN TXT \"a b\""])
    }
}

/// RFC 2308 §4: `$TTL` sets the default TTL; without it the SOA MINIMUM is used, with a warning.
@Suite struct RFC2308_4_DefaultTTLTests {
    @Test func ttlDirectiveAppliesUntilChanged() {
        let records = ZoneText.records("$TTL 1h\na A 192.0.2.1\nb 5 A 192.0.2.2\n$TTL 1d\nc A 192.0.2.3\n")
        #expect(
            records == [
                "a.example.org. 3600 IN A 192.0.2.1", "b.example.org. 5 IN A 192.0.2.2",
                "c.example.org. 86400 IN A 192.0.2.3",
            ])
    }

    @Test func soaMinimumIsTheFallbackWithAWarning() throws {
        let loaded = try ZoneFileParser.load(
            """
            @ IN SOA ns1 hostmaster 1 7200 3600 1209600 300
              7200 NS ns1
            ns1 A 192.0.2.53
            """, fileName: "main.zone", origin: name("example.org."))
        #expect(
            loaded.zone.records.map(\.description) == [
                "example.org. 7200 IN NS ns1.example.org.",
                "example.org. 300 IN SOA ns1.example.org. hostmaster.example.org. 1 7200 3600 1209600 300",
                "ns1.example.org. 300 IN A 192.0.2.53",
            ])
        #expect(
            loaded.warnings.map(\.description) == ["main.zone:1:1: warning: no TTL specified; using SOA MINIMUM 300"])
    }

    @Test func noTTLBeforeTheSOAIsAnError() {
        #expect(
            ZoneText.errors("www A 192.0.2.1\n" + zoneHead).first
                == "main.zone:1:1: no TTL specified and no $TTL or SOA to default to")
    }

    @Test func includedTTLDoesNotLeakBack() {
        let records = ZoneText.records(
            "$TTL 60\n$INCLUDE inc\nb A 192.0.2.2\n", files: ["zones/inc": "$TTL 5\na A 192.0.2.1\n"])
        #expect(records == ["a.example.org. 5 IN A 192.0.2.1", "b.example.org. 60 IN A 192.0.2.2"])
    }
}

/// RFC 2181 §5 when loading a file: duplicates dropped, one TTL per RRset, both with a warning in file order.
@Suite struct RFC2181_5_ZoneFileRRsetTests {
    @Test func duplicatesAndTTLMismatchesAreWarnings() throws {
        let loaded = try ZoneFileParser.load(
            zoneHead + """
                b 60 A 192.0.2.2
                a 60 A 192.0.2.1
                b 120 A 192.0.2.3
                a 60 A 192.0.2.1
                """, fileName: "main.zone", origin: name("example.org."))
        #expect(
            loaded.warnings.map(\.description) == [
                "main.zone:7:1: warning: TTL 120 differs from the RRset's TTL 60; using 60",
                "main.zone:8:1: warning: duplicate record ignored",
            ])
        expectSection(
            loaded.zone.node(at: name("b.example.org."))?.rrsets.flatMap(\.records) ?? [],
            ["b.example.org. 60 IN A 192.0.2.2", "b.example.org. 60 IN A 192.0.2.3"])
    }

    @Test func aLargeUnsortedZoneLoadsInCanonicalOrder() throws {
        var random = TestRandom(state: 42)
        let hosts = (0..<5000).map { _ in "h\(random.below(1_000_000)) A 192.0.2.\(random.below(256))" }
        let loaded = try ZoneFileParser.load(
            zoneHead + hosts.joined(separator: "\n"), fileName: "big", origin: name("example.org."))
        let owners = loaded.zone.nodes.map(\.owner)
        #expect(owners == owners.sorted() && loaded.zone.recordCount >= owners.count)
    }
}
