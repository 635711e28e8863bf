import DNSWire
import Testing

@Suite struct DNSNameTests {
    @Test func comparisonIgnoresCaseButStorageKeepsIt() {
        let upper = DNSName("WWW.Example.ORG.")!
        let lower = DNSName("www.example.org")!
        #expect(upper == lower)
        #expect(upper.hashValue == lower.hashValue)
        #expect(!upper.isIdentical(to: lower))
        #expect(upper.description == "WWW.Example.ORG.")
        #expect(upper.lowercased.description == "www.example.org.")
    }

    /// Equality compares eight octets at a time: every octet value, with bit 0x20 flipped, at every
    /// position of words and tails must agree with the octet-by-octet rule (only A-Z fold).
    @Test func equalityAgreesWithOctetByOctetFolding() throws {
        func lower(_ octet: UInt8) -> UInt8 { (0x41...0x5A).contains(octet) ? octet | 0x20 : octet }
        for length in [1, 6, 7, 8, 9, 15, 17] {
            for position in 0..<length {
                for octet in UInt8.min...UInt8.max {
                    var label = [UInt8](repeating: UInt8(ascii: "q"), count: length)
                    label[position] = octet
                    var flipped = label
                    flipped[position] = octet ^ 0x20
                    let left = try DNSName(labels: [label, Array("Example".utf8)])
                    let right = try DNSName(labels: [flipped, Array("eXAMPLE".utf8)])
                    #expect((left == right) == (lower(octet) == lower(octet ^ 0x20)))
                    #expect(left == (try DNSName(labels: [label, Array("EXAMPLE".utf8)])))
                }
            }
        }
        #expect(DNSName("a.example.")! != DNSName("a.example.org.")!)
    }

    /// RFC 4034 §6.1: the example names in canonical order.
    @Test func RFC4034_6_1_canonicalOrder() {
        let ordered = ["example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.", "zABC.a.EXAMPLE.",
                       "z.example.", "\\001.z.example.", "*.z.example.", "\\200.z.example."]
        let names = ordered.map { DNSName($0)! }
        #expect(names.reversed().sorted() == names)
        for (left, right) in zip(names, names.dropFirst()) { #expect(left < right) }
    }

    @Test func labelAndNameLimits() {
        let label63 = [UInt8](repeating: 0x61, count: 63)
        #expect(throws: Never.self) { try DNSName(labels: [label63]) }
        #expect(throws: DNSNameError.labelTooLong) { try DNSName(labels: [label63 + [0x61]]) }
        #expect(throws: DNSNameError.nameTooLong) { try DNSName(labels: Array(repeating: label63, count: 4)) }
        #expect(throws: DNSNameError.emptyLabel) { try DNSName(parsing: "a..b.", origin: nil) }
    }

    @Test func presentationEscapesRoundTrip() throws {
        let name = try DNSName(labels: [Array("a.b".utf8), [0x20, 0x22, 0x7F], Array("x@y$".utf8)])
        #expect(name.description == "a\\.b.\\032\\\"\\127.x\\@y\\$.")
        #expect(try DNSName(parsing: name.description, origin: nil) == name)
        #expect(try DNSName(parsing: name.description, origin: nil).isIdentical(to: name))
    }

    @Test func relativeNamesTakeTheOrigin() throws {
        let origin = DNSName("dyn.example.")!
        #expect(try DNSName(parsing: "host", origin: origin).description == "host.dyn.example.")
        #expect(try DNSName(parsing: "@", origin: origin) == origin)
        #expect(try DNSName(parsing: "host.other.", origin: origin).description == "host.other.")
    }

    @Test func hierarchy() {
        let name = DNSName("*.a.dyn.example.")!
        #expect(name.isWildcard)
        #expect(name.labelCount == 4)
        #expect(name.parent == DNSName("a.dyn.example."))
        #expect(name.isSubdomain(of: DNSName("DYN.example.")!))
        #expect(!DNSName("example.")!.isSubdomain(of: name))
        #expect(name.suffix(labelCount: 2) == DNSName("dyn.example."))
        #expect(DNSName.root.parent == nil)
    }
}

@Suite struct DNSNameDigestTests {
    /// The word-at-a-time lowering agrees with lowering octet by octet, for every octet value.
    @Test func digestIgnoresCaseOnly() throws {
        for byte in 0...255 as ClosedRange<Int> where byte != 0x2E {
            let label = [UInt8](repeating: UInt8(byte), count: 9)
            let lowered = label.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
            let a = try DNSName(labels: [label, Array("Example".utf8)])
            let b = try DNSName(labels: [lowered, Array("example".utf8)])
            #expect(a == b)
            #expect(a.foldedDigest == b.foldedDigest, "octet \(byte)")
        }
        #expect(DNSName("a.example.")!.foldedDigest != DNSName("b.example.")!.foldedDigest)
    }
}
