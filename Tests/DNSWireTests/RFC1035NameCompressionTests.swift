import DNSWire
import Testing

/// RFC 1035 §4.1.4 message compression, and the ways a hostile message abuses it.
@Suite struct RFC1035_4_1_4_CompressionTests {
    let header: [UInt8] = [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]

    @Test func encoderPointsLaterNamesAtEarlierOnes() throws {
        let name = DNSName("host.dyn.example.")!
        var response = Message.query(id: 7, name: name, type: .a).makeResponse()
        response.answers = [ResourceRecord(name: name, ttl: 60, rdata: .cname(DNSName("www.dyn.example.")!))]
        let wire = try response.wire()
        // Question name 18 octets; the answer owner is one pointer to it; the CNAME target is
        // "www" and a pointer to "dyn.example." inside the question name (offset 17).
        #expect(wire.count == 12 + 18 + 4 + 2 + 10 + 4 + 2)
        #expect(wire[34] == 0xC0 && wire[35] == 12)
        #expect(wire[50] == 0xC0 && wire[51] == 17)
        #expect(try Message(wire: wire) == response)
    }

    @Test func compressionKeepsCaseExactly() throws {
        var message = Message.query(id: 1, name: DNSName("Example.ORG.")!, type: .ns)
        message.answers = [ResourceRecord(name: DNSName("example.org.")!, ttl: 1, rdata: .ns(DNSName("NS1.example.org.")!))]
        let decoded = try Message(wire: try message.wire())
        #expect(decoded.answers[0].name.isIdentical(to: DNSName("example.org.")!))
        #expect(decoded.questions[0].name.description == "Example.ORG.")
        #expect(decoded.answers[0].rdata.description == "NS1.example.org.")
    }

    @Test func pointerToItselfIsALoop() {
        // Question name at offset 12 is a pointer to offset 12.
        let wire = header + [0xC0, 12, 0, 1, 0, 1]
        #expect(throws: DNSDecodeError(.forwardPointer, at: 12)) { try Message(wire: wire) }
    }

    @Test func pointerChainThatCyclesIsALoop() {
        // offset 12: label "a", pointer to 12 again via 14 -> 12 (backwards but revisits).
        let wire = header + [1, 0x61, 0xC0, 12, 0, 1, 0, 1]
        #expect(throws: DNSDecodeError(.pointerLoop, at: 14)) { try Message(wire: wire) }
    }

    @Test func forwardPointerIsRejected() {
        let wire = header + [0xC0, 20, 0, 1, 0, 1, 0, 0, 0]
        #expect(throws: DNSDecodeError(.forwardPointer, at: 12)) { try Message(wire: wire) }
    }

    @Test func pointerOutOfBoundsIsRejected() {
        let wire = header + [0xC0, 0xFF, 0, 1, 0, 1]
        #expect(throws: DNSDecodeError(.pointerOutOfBounds, at: 12)) { try Message(wire: wire) }
    }

    @Test(arguments: [UInt8(0x40), 0x80])
    func reservedLabelTypesAreRejected(bits: UInt8) {
        let wire = header + [bits | 1, 0x61, 0, 0, 1, 0, 1]
        #expect(throws: DNSDecodeError(.badLabelType(bits), at: 12)) { try Message(wire: wire) }
    }

    @Test func nameOver255OctetsIsRejected() {
        // Five labels of 63 octets: 5 * 64 + 1 = 321 octets.
        var name: [UInt8] = []
        for _ in 0..<5 { name += [63] + [UInt8](repeating: 0x61, count: 63) }
        let wire = header + name + [0, 0, 1, 0, 1]
        #expect(throws: DNSDecodeError(.nameTooLong, at: 12 + 3 * 64)) { try Message(wire: wire) }
    }

    @Test func longestLegalNameDecodes() throws {
        // 3 * 64 + 62 + 1 = 255 octets exactly.
        var name: [UInt8] = []
        for _ in 0..<3 { name += [63] + [UInt8](repeating: 0x61, count: 63) }
        name += [61] + [UInt8](repeating: 0x62, count: 61) + [0]
        #expect(name.count == 255)
        let wire = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0] + name + [0, 1, 0, 1]
        let message = try Message(wire: wire)
        #expect(message.questions[0].name.wire.count == 255)
        #expect(try message.wire() == wire)
    }

    @Test func truncatedNameIsTruncated() {
        let wire = header + [5, 0x61, 0x62]
        #expect(throws: DNSDecodeError(.truncated, at: 12)) { try Message(wire: wire) }
    }

    // The decoder shares the array of a name that a later owner names with a single pointer
    // (Message+Wire.swift, CompressionTargets). These pin down that sharing changes neither names
    // nor errors.

    @Test func ownersThatPointAtEarlierNamesDecodeToThoseNames() throws {
        // Answer owner -> question name; glue owners -> NS targets; NS owners -> a suffix of the question.
        let zone = DNSName("dyn.example.")!
        let host = DNSName("host.dyn.example.")!
        var response = Message.query(id: 9, name: host, type: .a).makeResponse()
        let targets = (1...3).map { DNSName("ns\($0).dyn.example.")! }
        response.answers = [ResourceRecord(name: host, ttl: 60, rdata: .a(IPv4Address(192, 0, 2, 1)))]
        response.authority = targets.map { ResourceRecord(name: zone, ttl: 60, rdata: .ns($0)) }
        response.additional = targets.map { ResourceRecord(name: $0, ttl: 60, rdata: .a(IPv4Address(192, 0, 2, 9))) }
        let decoded = try Message(wire: try response.wire())
        #expect(decoded == response)
        for (record, expected) in zip(decoded.additional, response.additional) {
            #expect(record.name.isIdentical(to: expected.name))
        }
        #expect(decoded.answers[0].name.wire == decoded.questions[0].name.wire)
    }

    @Test func aPointerToANameWhosePointerLeadsIntoItselfIsStillALoop() {
        // Question name at 12: label "\0", then a pointer to 13 (the label's octet, read as the root).
        // Read there it is valid; read through a pointer to 12, its pointer to 13 is not below 12.
        let wire: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]
            + [1, 0, 0xC0, 13, 0, 1, 0, 1]
            + [0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]
        #expect(throws: DNSDecodeError(.pointerLoop, at: 14)) { try Message(wire: wire) }
    }

    @Test func aSharedNameIsReadWithTheSameLengthLimit() {
        // Answer owner: label "a" and a pointer to the 254-octet question name: 256 octets.
        var name: [UInt8] = []
        for _ in 0..<3 { name += [63] + [UInt8](repeating: 0x61, count: 63) }
        name += [60] + [UInt8](repeating: 0x62, count: 60) + [0]
        #expect(name.count == 254)
        let header: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0]
        let answer: [UInt8] = [0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]
        let wire = header + name + [0, 1, 0, 1] + [0xC0, 12] + answer + [1, 0x63, 0xC0, 12] + answer
        // The fourth label of the question name, at 12 + 3 * 64, takes it past 255 octets.
        #expect(throws: DNSDecodeError(.nameTooLong, at: 12 + 3 * 64)) { try Message(wire: wire) }
    }
}
