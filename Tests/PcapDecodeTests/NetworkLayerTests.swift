// IPv4 and IPv6 headers, extension headers, and fragment reassembly.

import PcapDecode
import Testing

@Suite("IPv4 and IPv6")
struct NetworkLayerTests {
    @Test("IPv4 options are skipped; Ethernet padding after the datagram is ignored")
    func ipv4OptionsAndPadding() throws {
        let query = Build.query(id: 0x4444)
        let frames = [
            Build.ethernet(Build.ipv4(Build.udp(query), options: [1, 1, 1, 0, 0x44, 4, 5, 0])),
            Build.ethernet(Build.ipv4(Build.udp(Array(query.prefix(12))))) + [UInt8](repeating: 0xAA, count: 10),
        ]
        let result = extract(frames)
        try #require(result.messages.count == 2)
        #expect(result.messages[0].wire == query)
        #expect(result.messages[1].wire == Array(query.prefix(12)))
        #expect(result.messages[0].source == IPEndpoint(address: IPAddress(ipv4: 0xC000_0201), port: 40000))
        #expect(result.messages[0].destination.description == "192.0.2.53:53")
    }

    @Test("Bad IPv4 headers are counted, lengths past the frame are tolerated")
    func ipv4Lengths() {
        let udp = Build.udp(Build.query(id: 1))
        var shortHeader = Build.ipv4(udp)
        shortHeader[0] = 0x44
        let frames = [
            Build.ethernet(shortHeader),
            Build.ethernet(Build.ipv4(udp, totalLength: 12)),
            Build.ethernet(Build.ipv4(udp, totalLength: 0)),
            Build.ethernet(Build.ipv4(udp, totalLength: 500)),
            Build.ethernet(Array(Build.ipv4(udp).prefix(19))),
            Build.ethernet(Build.ipv4([8, 0, 0, 0], protocolNumber: 1)),
        ]
        let result = extract(frames)
        #expect(result.messages.count == 2)
        #expect(result.statistics.skipped[.badIPHeader] == 2)
        #expect(result.statistics.skipped[.truncatedFrame] == 1)
        #expect(result.statistics.skipped[.unsupportedTransport] == 1)
        #expect(result.statistics.anomalies[.ipLengthZero] == 1)
        #expect(result.statistics.anomalies[.ipLengthBeyondFrame] == 1)
    }

    @Test("IPv6 extension headers: hop-by-hop, routing, destination options, AH, atomic fragment")
    func extensionHeaders() {
        let udp = Build.udp(Build.query(id: 0x6666))
        let chain =
            Build.extensionHeader(next: 43) + Build.extensionHeader(next: 60, units: 2)
            + Build.extensionHeader(next: 51) + [17, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]  // AH: 3 words
        let frames = [
            Build.ethernet(Build.ipv6(chain + udp, nextHeader: 0), etherType: 0x86DD),
            Build.ethernet(
                Build.ipv6(
                    Build.fragmentHeader(next: 17, offset: 0, more: false, identification: 5) + udp, nextHeader: 44),
                etherType: 0x86DD),
            Build.ethernet(Build.ipv6(Build.extensionHeader(next: 59), nextHeader: 60), etherType: 0x86DD),
            Build.ethernet(Build.ipv6(Array(chain.prefix(20)), nextHeader: 0), etherType: 0x86DD),
        ]
        let result = extract(frames)
        #expect(ids(result.messages) == [0x6666, 0x6666])
        #expect(result.messages.first?.source.description == "[2001:db8::1]:40000")
        #expect(result.statistics.skipped[.unsupportedTransport] == 1)
        #expect(result.statistics.skipped[.badExtensionHeader] == 1)
    }

    @Test("An endless extension-header chain is rejected")
    func endlessChain() {
        let chain = (0..<20).flatMap { _ in Build.extensionHeader(next: 60) }
        let result = extract([Build.ethernet(Build.ipv6(chain, nextHeader: 60), etherType: 0x86DD)])
        #expect(result.statistics.skipped[.badExtensionHeader] == 1)
    }

    @Test("ICMP errors quoting a DNS datagram are counted apart (tshark shows the quoted message)")
    func icmpQuotes() {
        let quoted = Build.ipv4(Build.udp(Build.query(id: 7), sourcePort: 53, destinationPort: 40000))
        let quoted6 = Build.ipv6(Build.udp(Build.query(id: 7)))
        let frames = [
            Build.ethernet(Build.ipv4([3, 3, 0, 0, 0, 0, 0, 0] + quoted, protocolNumber: 1)),
            Build.ethernet(Build.ipv6([1, 4, 0, 0, 0, 0, 0, 0] + quoted6, nextHeader: 58), etherType: 0x86DD),
            Build.ethernet(Build.ipv4([3, 3, 0, 0, 0, 0, 0, 0] + quoted.prefix(28), protocolNumber: 1)),
            Build.ethernet(Build.ipv4([8, 0, 0, 0, 0, 1, 0, 1] + quoted, protocolNumber: 1)),
        ]
        let result = extract(frames)
        #expect(result.messages.isEmpty)
        #expect(result.statistics.skipped[.icmpQuotedDNS] == 2)
        #expect(result.statistics.skipped[.unsupportedTransport] == 2)
    }

    @Test("IPv4 fragments out of order are reassembled when the last piece arrives")
    func ipv4FragmentsOutOfOrder() throws {
        let datagram = Build.udp(Build.query(id: 0x2001, name: "fragmented.example.org"))
        let piece: (Int, Int?, Bool) -> [UInt8] = { start, end, more in
            Build.ethernet(
                Build.ipv4(
                    Array(datagram[start..<(end ?? datagram.count)]), identification: 0x2001, fragmentOffset: start,
                    moreFragments: more))
        }
        let result = extract([piece(32, nil, false), piece(0, 16, true), piece(16, 32, true)])
        try #require(result.messages.count == 1)
        #expect(result.messages[0].frameNumber == 3)
        #expect(result.messages[0].wire == Array(datagram.dropFirst(8)))
        #expect(result.statistics.anomalies[.fragmentReassembled] == 1)
    }

    @Test("Overlapping fragments keep the lower offset's bytes; incomplete ones are counted at the end")
    func overlapAndIncomplete() throws {
        let datagram = Build.udp(Build.query(id: 0x2002))
        let piece: (Int, Int?, Bool, UInt16) -> [UInt8] = { start, end, more, id in
            Build.ethernet(
                Build.ipv4(
                    Array(datagram[start..<(end ?? datagram.count)]), identification: id, fragmentOffset: start,
                    moreFragments: more))
        }
        let frames = [piece(0, 24, true, 1), piece(16, 32, true, 1), piece(32, nil, false, 1), piece(0, 16, true, 2)]
        let result = extract(frames)
        try #require(result.messages.count == 1)
        #expect(result.messages[0].wire == Array(datagram.dropFirst(8)))
        #expect(result.statistics.anomalies[.fragmentOverlap] == 1)
        #expect(result.statistics.skipped[.fragmentIncomplete] == 1)
    }

    @Test("Fragment bounds: oversized datagrams and eviction of the oldest")
    func fragmentBounds() {
        var configuration = DNSExtractor.Configuration()
        configuration.maximumFragmentedDatagrams = 2
        let start: (UInt16) -> [UInt8] = { id in
            Build.ethernet(Build.ipv4([UInt8](repeating: 0, count: 16), identification: id, moreFragments: true))
        }
        let oversized = Build.ethernet(
            Build.ipv4([UInt8](repeating: 0, count: 16), identification: 9, fragmentOffset: 65_528))
        let result = extract([start(1), start(2), start(3), oversized], configuration: configuration)
        #expect(result.statistics.skipped[.fragmentLimit] == 2)
        #expect(result.statistics.skipped[.fragmentIncomplete] == 2)
    }

    @Test("IPv6 fragments, with a destination options header in the fragmentable part")
    func ipv6Fragments() throws {
        let payload = Build.extensionHeader(next: 17) + Build.udp(Build.query(id: 0x2007, name: "six.example.org"))
        let piece: (Int, Int?, Bool) -> [UInt8] = { start, end, more in
            let header = Build.fragmentHeader(next: 60, offset: start, more: more, identification: 0xABCD)
            return Build.ethernet(
                Build.ipv6(header + payload[start..<(end ?? payload.count)], nextHeader: 44), etherType: 0x86DD)
        }
        let result = extract([piece(24, nil, false), piece(0, 24, true)])
        #expect(ids(result.messages) == [0x2007])
        #expect(result.messages.first?.frameNumber == 2)
    }
}
