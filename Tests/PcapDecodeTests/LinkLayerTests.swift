// Link layers: each supported type, carrying IPv4 and IPv6, and the counted skips.

import PcapDecode
import Testing

@Suite("Link layers")
struct LinkLayerTests {
    static let v4 = Build.ipv4(Build.udp(Build.query(id: 0x0404)))
    static let v6 = Build.ipv6(Build.udp(Build.query(id: 0x0606)))

    @Test("Ethernet with 802.1Q, QinQ and 0x9100 tags")
    func vlan() {
        let frames = [
            Build.ethernet(Self.v4, tags: [(0x8100, 11)]),
            Build.ethernet(Self.v6, etherType: 0x86DD, tags: [(0x88A8, 100), (0x8100, 11)]),
            Build.ethernet(Self.v4, tags: [(0x9100, 1), (0x8100, 2)]),
        ]
        let result = extract(frames)
        #expect(ids(result.messages) == [0x0404, 0x0606, 0x0404])
        #expect(result.messages[1].source.address.family == .ipv6)
    }

    @Test("A tag stack that never ends is not IP; a cut tag is a truncated frame")
    func vlanLimits() {
        let endless = Build.ethernet(Self.v4, tags: Array(repeating: (0x8100, 1), count: 9))
        let cut = Array(Build.ethernet([], etherType: 0x8100).prefix(16))
        let result = extract([endless, cut])
        #expect(result.messages.isEmpty)
        #expect(result.statistics.skipped[.notIP] == 1)
        #expect(result.statistics.skipped[.truncatedFrame] == 1)
    }

    @Test("PPPoE session carrying IPv4 and IPv6")
    func pppoe() {
        let session: ([UInt8], Int) -> [UInt8] = { packet, protocolNumber in
            [0x11, 0, 0, 1] + Build.be16(packet.count + 2) + Build.be16(protocolNumber) + packet
        }
        let frames = [
            Build.ethernet(session(Self.v4, 0x21), etherType: 0x8864),
            Build.ethernet(session(Self.v6, 0x57), etherType: 0x8864),
        ]
        #expect(ids(extract(frames).messages) == [0x0404, 0x0606])
    }

    @Test("Linux cooked capture v1 (113)")
    func linuxCooked() {
        let header: (Int) -> [UInt8] = { [0, 0, 0, 1, 0, 6] + [UInt8](repeating: 0, count: 8) + Build.be16($0) }
        let result = extract(
            [header(0x0800) + Self.v4, header(0x86DD) + Self.v6, header(0x0806) + [0]], linkType: .linuxCooked)
        #expect(ids(result.messages) == [0x0404, 0x0606])
        #expect(result.statistics.skipped[.notIP] == 1)
    }

    @Test("Linux cooked capture v2 (276)")
    func linuxCookedV2() {
        let header: (Int) -> [UInt8] = {
            Build.be16($0) + [0, 0, 0, 0, 0, 2, 0, 1, 0, 6] + [UInt8](repeating: 0, count: 8)
        }
        let result = extract(
            [header(0x0800) + Self.v4, header(0x86DD) + Self.v6, Array(header(0x0800).prefix(19))],
            linkType: .linuxCookedV2)
        #expect(ids(result.messages) == [0x0404, 0x0606])
        #expect(result.statistics.skipped[.truncatedFrame] == 1)
    }

    @Test("BSD null and loop, address family in either byte order")
    func loopback() {
        let frames = [
            Build.le32(2) + Self.v4, Build.le32(24) + Self.v6, Build.le32(28) + Self.v6, Build.le32(30) + Self.v6,
            Build.be32(2) + Self.v4, Build.be32(10) + Self.v6, Build.le32(7) + Self.v4,
        ]
        let null = extract(frames, linkType: .null)
        #expect(ids(null.messages) == [0x0404, 0x0606, 0x0606, 0x0606, 0x0404, 0x0606])
        #expect(null.statistics.skipped[.notIP] == 1)
        #expect(extract(frames, linkType: .loop).messages.count == 6)
    }

    @Test("PPP with and without HDLC framing, compressed protocol field")
    func ppp() {
        let frames = [
            [0xFF, 0x03, 0x00, 0x21] + Self.v4, [0x00, 0x57] + Self.v6, [0x21] + Self.v4, [0xC0, 0x21, 1, 1],
        ]
        let result = extract(frames, linkType: .ppp)
        #expect(ids(result.messages) == [0x0404, 0x0606, 0x0404])
        #expect(result.statistics.skipped[.notIP] == 1)
    }

    @Test("Raw IP link types", arguments: [LinkType.raw, .rawLegacy])
    func raw(linkType: LinkType) {
        let result = extract([Self.v4, Self.v6, [0x50] + Self.v4.dropFirst()], linkType: linkType)
        #expect(ids(result.messages) == [0x0404, 0x0606])
        #expect(result.statistics.skipped[.badIPHeader] == 1)
    }

    @Test("IPv4-only and IPv6-only link types check the version")
    func fixedVersion() {
        #expect(extract([Self.v4, Self.v6], linkType: .ipv4).statistics.skipped[.badIPHeader] == 1)
        #expect(ids(extract([Self.v6], linkType: .ipv6).messages) == [0x0606])
    }

    @Test("Unsupported link type, ARP, empty frames")
    func skips() {
        let unsupported = extract([Self.v4], linkType: LinkType(rawValue: 147))
        #expect(unsupported.statistics.skipped[.unsupportedLinkType] == 1)
        #expect(LinkType(rawValue: 147).description == "LINKTYPE(147)")
        let arp = extract([Build.ethernet([UInt8](repeating: 0, count: 28), etherType: 0x0806), []])
        #expect(arp.statistics.skipped[.notIP] == 1)
        #expect(arp.statistics.skipped[.truncatedFrame] == 1)
        #expect(arp.statistics.frames == 2)
    }
}
