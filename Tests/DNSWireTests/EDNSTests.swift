import DNSWire
import Testing

/// RFC 6891 (EDNS(0)), RFC 7871 (client subnet), RFC 7873 (cookies), RFC 7830 (padding).
@Suite struct RFC6891_EDNSTests {
    func query(edns: EDNS?) -> Message {
        Message.query(id: 99, name: DNSName("dyn.example.")!, type: .soa, edns: edns)
    }

    @Test func extendedRCodeTravelsInOPT() throws {
        var response = query(edns: EDNS(udpPayloadSize: 1232)).makeResponse(rcode: .badVers)
        response.edns = EDNS(udpPayloadSize: 1232)
        let wire = try response.wire()
        #expect(wire[3] & 0x0F == 0)  // low 4 bits of 16
        let decoded = try Message(wire: wire)
        #expect(decoded.rcode == .badVers)
        #expect(decoded.rcode.description == "BADVERS")
    }

    @Test func extendedRCodeWithoutOPTCannotBeEncoded() {
        let response = query(edns: nil).makeResponse(rcode: .badCookie)
        #expect(throws: DNSEncodeError.extendedRCodeWithoutEDNS) { try response.wire() }
    }

    @Test func optionsRoundTrip() throws {
        let subnet = ClientSubnet(family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, address: [192, 0, 2])
        let edns = EDNS(udpPayloadSize: 4096, dnssecOK: true, options: [
            .clientSubnet(subnet), .cookie(Cookie(client: [1, 2, 3, 4, 5, 6, 7, 8])), .padding([0, 0, 0]),
            .unknown(code: 65_001, data: [0xAB]),
        ])
        let decoded = try Message(wire: query(edns: edns).wire())
        #expect(decoded.edns == edns)
        #expect(decoded.edns?.dnssecOK == true)
        #expect(decoded.edns?.clientSubnet == subnet)
        #expect(decoded.edns?.cookie?.client == [1, 2, 3, 4, 5, 6, 7, 8])
    }

    @Test func cookieOfWrongLengthIsFormErr() throws {
        var wire = try query(edns: EDNS(options: [.unknown(code: 10, data: [UInt8](repeating: 1, count: 9))])).wire()
        #expect(throws: DNSDecodeError.self) { try Message(wire: wire) }
        wire = try query(edns: EDNS(options: [.unknown(code: 10, data: [UInt8](repeating: 1, count: 8))])).wire()
        #expect(try Message(wire: wire).edns?.cookie != nil)
    }

    @Test func clientSubnetAddressMustMatchPrefix() throws {
        let wire = try query(edns: EDNS(options: [.unknown(code: 8, data: [0, 1, 24, 0, 192, 0])])).wire()
        #expect {
            try Message(wire: wire)
        } throws: { error in
            (error as? DNSDecodeError)?.reason == .invalidEDNSOption(8)
        }
    }

    @Test func secondOPTIsFormErr() throws {
        var wire = try query(edns: EDNS()).wire()
        wire[11] = 2
        wire += [0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0]
        #expect {
            try Message(wire: wire)
        } throws: { error in
            (error as? DNSDecodeError)?.reason == .duplicateOPT
        }
    }

    @Test func optInAnswerSectionIsFormErr() throws {
        var wire = try query(edns: EDNS()).wire()
        wire[7] = 1  // ANCOUNT 1
        wire[11] = 0  // ARCOUNT 0
        #expect {
            try Message(wire: wire)
        } throws: { error in
            (error as? DNSDecodeError)?.reason == .misplacedOPT
        }
    }

    @Test func tsigMustBeLast() throws {
        let tsig = ResourceRecord(name: DNSName("key.example.")!, class: .any, ttl: 0, rdata: .tsig(TSIG(
            algorithm: DNSName("hmac-sha256.")!, timeSigned: 1_700_000_000, fudge: 300, mac: [1, 2],
            originalID: 99, error: 0, otherData: [])))
        var message = query(edns: nil)
        message.additional = [tsig, ResourceRecord(name: .root, ttl: 0, rdata: .a(IPv4Address(1)))]
        // Our encoder keeps the record order; the decoder refuses a TSIG that is not last.
        let wire = try message.wire()
        #expect {
            try Message(wire: wire)
        } throws: { error in
            (error as? DNSDecodeError)?.reason == .misplacedTSIG
        }
        message.additional.reverse()
        #expect(try Message(wire: message.wire()).tsig == tsig)
    }
}
