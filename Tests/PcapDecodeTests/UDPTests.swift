// UDP: ports, the length field the way tshark reads it, and the 4-byte minimum.

import PcapDecode
import Testing

@Suite("UDP")
struct UDPTests {
    static let query = Build.query(id: 0x5555)

    @Test("Either port 53; other ports are counted")
    func ports() {
        let frames = [
            Build.ethernet(Build.ipv4(Build.udp(Self.query, sourcePort: 53, destinationPort: 40000))),
            Build.ethernet(Build.ipv4(Build.udp(Self.query, sourcePort: 137, destinationPort: 53))),
            Build.ethernet(Build.ipv4(Build.udp(Self.query, sourcePort: 5353, destinationPort: 5353))),
        ]
        let result = extract(frames)
        #expect(result.messages.count == 2)
        #expect(result.messages[0].transport == .udp)
        #expect(result.messages[0].source.port == 53)
        #expect(result.statistics.skipped[.notDNSPort] == 1)
        var configuration = DNSExtractor.Configuration()
        configuration.udpPorts = [5353]
        #expect(extract(frames, configuration: configuration).messages.count == 1)
    }

    @Test("Length field: larger than the payload is ignored, smaller cuts it, under 8 is fatal")
    func lengthField() {
        let frames = [
            Build.ethernet(Build.ipv4(Build.udp(Self.query, length: 300))),
            Build.ethernet(Build.ipv4(Build.udp(Self.query, length: 8 + 12))),
            Build.ethernet(Build.ipv4(Build.udp(Self.query, length: 7))),
            Build.ethernet(Build.ipv4(Build.udp(Self.query, length: 8 + 3))),
        ]
        let result = extract(frames)
        #expect(result.messages.map(\.wire.count) == [Self.query.count, 12])
        #expect(result.statistics.anomalies[.udpLengthBeyondPayload] == 1)
        #expect(result.statistics.anomalies[.udpLengthShorterThanPayload] == 2)
        #expect(result.statistics.skipped[.badUDPLength] == 1)
        #expect(result.statistics.skipped[.dnsTooShort] == 1)
    }

    @Test("Payloads under 4 bytes are not DNS (tshark needs the ID and flags)", arguments: 0...6)
    func minimumLength(size: Int) {
        let result = extract([Build.ethernet(Build.ipv4(Build.udp(Array(Self.query.prefix(size)))))])
        #expect(result.messages.count == (size >= 4 ? 1 : 0))
        #expect(result.statistics.skipped[.dnsTooShort] == (size >= 4 ? 0 : 1))
    }

    @Test("IPv6 UDP length 0 is a jumbogram: the IP payload is used")
    func jumbogram() {
        let frame = Build.ethernet(Build.ipv6(Build.udp(Self.query, length: 0)), etherType: 0x86DD)
        #expect(extract([frame]).messages.first?.wire == Self.query)
    }

    @Test("A snap-truncated message is kept and marked, as tshark shows it; a cut header is skipped")
    func snapTruncated() throws {
        let whole = Build.udpQueryFrame(id: 0x5555)
        let frames = [
            CapturedFrame(
                timestampNanoseconds: 0, linkType: .ethernet, bytes: Array(whole.prefix(14 + 28 + 6)),
                originalLength: whole.count),
            CapturedFrame(
                timestampNanoseconds: 0, linkType: .ethernet, bytes: Array(whole.prefix(14 + 28 + 3)),
                originalLength: whole.count),
            CapturedFrame(
                timestampNanoseconds: 0, linkType: .ethernet, bytes: Array(whole.prefix(14 + 24)),
                originalLength: whole.count),
            CapturedFrame(
                timestampNanoseconds: 0, linkType: .ethernet, bytes: Array(whole.prefix(14 + 10)),
                originalLength: whole.count),
        ]
        let result = DNSExtractor.extract(from: frames)
        try #require(result.messages.count == 1)
        #expect(result.messages[0].isSnapTruncated)
        #expect(result.messages[0].wire == Array(Self.query.prefix(6)))
        #expect(result.statistics.anomalies[.snapTruncatedMessage] == 1)
        #expect(result.statistics.skipped[.snapTruncated] == 3)
    }

    @Test("Timestamps and frame numbers are carried to the message")
    func stamps() throws {
        var extractor = DNSExtractor()
        var output: [CapturedDNSMessage] = []
        let bytes = Build.udpQueryFrame(id: 1)
        extractor.process(
            linkType: .ethernet, timestampNanoseconds: 42, bytes: bytes[...], originalLength: bytes.count, into: &output
        )
        extractor.process(CapturedFrame(timestampNanoseconds: 99, linkType: .ethernet, bytes: bytes), into: &output)
        extractor.finish(into: &output)
        #expect(output.map(\.timestampNanoseconds) == [42, 99])
        #expect(output.map(\.frameNumber) == [1, 2])
        #expect(extractor.statistics.udpMessages == 2)
        #expect(extractor.statistics.skipped.total == 0)
    }
}
