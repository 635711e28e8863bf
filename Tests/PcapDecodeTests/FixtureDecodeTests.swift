// Issue 2, point 2: every DNS message in the fixture captures goes through the DNSWire decoder.
// Decoded plus rejected equals tshark's count (FixtureCountTests shows our extraction equals
// tshark's message for message); each rejection carries a typed reason and an offset, and
// nothing traps. What decodes must survive encode -> decode unchanged.

import DNSWire
import PcapDecode
import Testing

/// What a fixture's messages decode to: decoded count and rejections by reason.
struct DecodeTally: Equatable, CustomStringConvertible {
    var decoded = 0
    var rejected: [String: Int] = [:]

    var total: Int { decoded + rejected.values.reduce(0, +) }
    var description: String {
        "decoded \(decoded)" + rejected.sorted { $0.key < $1.key }.map { ", \($0.key) \($0.value)" }.joined()
    }
}

func tally(_ messages: [CapturedDNSMessage]) -> DecodeTally {
    var result = DecodeTally()
    for message in messages {
        do {
            let decoded = try Message(wire: message.wire)
            result.decoded += 1
            let again = try Message(wire: try decoded.wire())
            #expect(again == decoded, "frame \(message.frameNumber): encode -> decode changed the message")
        } catch let error as DNSDecodeError {
            #expect(error.offset >= 0 && error.offset <= message.wire.count)
            result.rejected[error.reasonName, default: 0] += 1
        } catch {
            Issue.record("frame \(message.frameNumber): unexpected error \(error)")
        }
    }
    return result
}

@Suite("Fixture messages decode with DNSWire")
struct FixtureDecodeTests {
    @Test("decoded + rejected = tshark's count", arguments: realFixtures + syntheticFixtures)
    func decodedPlusRejectedEqualsTshark(fixture: Fixture) throws {
        let extracted = try extractFixture(fixture.path)
        let result = tally(extracted.messages)
        #expect(result.total == fixture.messages, "\(fixture.path): \(result)")
    }

    /// The captures whose messages are malformed on purpose, and the reason each gets.
    @Test func knownMalformedMessagesGetTheirTypedReason() throws {
        // tcpdump's "badlabel" packet: its first name runs past 255 octets before any label of a
        // reserved type is reached; tshark also reports "<Name too long>". Reserved label types
        // themselves are covered by RFC1035_4_1_4_CompressionTests.
        let badLabel = tally(try extractFixture("tcpdump-dns-badlabel.pcap").messages)
        #expect(badLabel == DecodeTally(decoded: 0, rejected: ["name-too-long": 1]))
        // The compression-loop packet has a UDP length of 8: no DNS payload, as tshark agrees.
        let zlip = try extractFixture("tcpdump-dns-zlip-1.pcap")
        #expect(zlip.messages.isEmpty)
        #expect(tally(zlip.messages).total == 0)
    }

    /// The zlip capture's packet, with its UDP length repaired, is the compression loop it was made
    /// to be: rejected as a loop, not a hang or a crash.
    @Test func zlipPayloadIsACompressionLoop() throws {
        let frames = PcapFile.readFrames(try fixtureBytes("tcpdump-dns-zlip-1.pcap")).frames
        let frame = try #require(frames.first)
        // Ethernet (14) + IPv4 (20) + UDP (8): the rest is the DNS message the UDP length hides.
        let payload = Array(frame.bytes.dropFirst(42))
        #expect(payload.count >= 12)
        // The question name is a pointer to itself (offset 12 -> 12): never followed.
        #expect(throws: DNSDecodeError(.forwardPointer, at: 12)) { try Message(wire: payload) }
    }

    @Test func breakdownOfTheRealCaptures() throws {
        var all = DecodeTally()
        for fixture in realFixtures {
            let result = tally(try extractFixture(fixture.path).messages)
            all.decoded += result.decoded
            for (reason, count) in result.rejected { all.rejected[reason, default: 0] += count }
        }
        #expect(all.total == realFixtures.reduce(0) { $0 + $1.messages })
        #expect(all.decoded > 0)
    }
}
