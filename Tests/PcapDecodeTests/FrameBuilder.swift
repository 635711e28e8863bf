// Builds frames and capture files byte by byte for the unit tests.

import PcapDecode

/// Hand-built packets: each function returns the bytes of one header plus its payload.
enum Build {
    static let client4: [UInt8] = [192, 0, 2, 1]
    static let server4: [UInt8] = [192, 0, 2, 53]
    static let client6: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [1]
    static let server6: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [0x35]

    /// TCP flag bits.
    static let fin: UInt8 = 0x01, syn: UInt8 = 0x02, rst: UInt8 = 0x04, psh: UInt8 = 0x08, ack: UInt8 = 0x10

    static func be16(_ value: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    static func be32(_ value: UInt32) -> [UInt8] {
        [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
    }

    static func le32(_ value: UInt32) -> [UInt8] {
        [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: value >> $0) }
    }

    /// A DNS query for `name` A IN with the given ID.
    static func query(id: UInt16, name: String = "example.org") -> [UInt8] {
        var bytes = be16(Int(id)) + [0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") {
            bytes.append(UInt8(label.utf8.count))
            bytes += Array(label.utf8)
        }
        return bytes + [0, 0, 1, 0, 1]
    }

    /// A message with its RFC 1035 §4.2.2 length prefix.
    static func prefixed(_ message: [UInt8]) -> [UInt8] {
        be16(message.count) + message
    }

    static func ipv4(
        _ payload: [UInt8], protocolNumber: UInt8 = 17, source: [UInt8] = client4, destination: [UInt8] = server4,
        identification: UInt16 = 1, fragmentOffset: Int = 0, moreFragments: Bool = false, options: [UInt8] = [],
        totalLength: Int? = nil
    ) -> [UInt8] {
        precondition(options.count % 4 == 0)
        let headerLength = 20 + options.count
        let flags = (moreFragments ? 0x2000 : 0) | fragmentOffset / 8
        return [0x40 | UInt8(headerLength / 4), 0] + be16(totalLength ?? headerLength + payload.count)
            + be16(Int(identification)) + be16(flags) + [64, protocolNumber, 0, 0]
            + source + destination + options + payload
    }

    static func ipv6(
        _ payload: [UInt8], nextHeader: UInt8 = 17, source: [UInt8] = client6, destination: [UInt8] = server6,
        payloadLength: Int? = nil
    ) -> [UInt8] {
        [0x60, 0, 0, 0] + be16(payloadLength ?? payload.count) + [nextHeader, 64] + source + destination + payload
    }

    /// Hop-by-hop, routing or destination options header of `(units + 1) * 8` bytes.
    static func extensionHeader(next: UInt8, units: Int = 0) -> [UInt8] {
        let size = (units + 1) * 8
        return [next, UInt8(units), 1, UInt8(size - 4)] + [UInt8](repeating: 0, count: size - 4)
    }

    static func fragmentHeader(next: UInt8, offset: Int, more: Bool, identification: UInt32) -> [UInt8] {
        [next, 0] + be16(offset | (more ? 1 : 0)) + be32(identification)
    }

    static func udp(
        _ payload: [UInt8], sourcePort: UInt16 = 40000, destinationPort: UInt16 = 53, length: Int? = nil
    ) -> [UInt8] {
        be16(Int(sourcePort)) + be16(Int(destinationPort)) + be16(length ?? 8 + payload.count) + [0, 0] + payload
    }

    static func tcp(
        _ payload: [UInt8], sourcePort: UInt16 = 40000, destinationPort: UInt16 = 53, sequence: UInt32,
        flags: UInt8 = psh | ack
    ) -> [UInt8] {
        be16(Int(sourcePort)) + be16(Int(destinationPort)) + be32(sequence) + be32(1)
            + [0x50, flags, 0xFF, 0xFF, 0, 0, 0, 0] + payload
    }

    static func ethernet(_ payload: [UInt8], etherType: UInt16 = 0x0800, tags: [(tpid: UInt16, vid: UInt16)] = [])
        -> [UInt8]
    {
        var bytes: [UInt8] = [2, 0, 0, 0, 0, 0x35, 2, 0, 0, 0, 0, 1]
        for tag in tags {
            bytes += be16(Int(tag.tpid)) + be16(Int(tag.vid))
        }
        return bytes + be16(Int(etherType)) + payload
    }

    /// A UDP DNS query from the client over IPv4 in Ethernet.
    static func udpQueryFrame(id: UInt16) -> [UInt8] {
        ethernet(ipv4(udp(query(id: id))))
    }

    /// A TCP segment from the client (or, with `response`, from the server) over IPv4 in Ethernet.
    static func tcpFrame(
        _ payload: [UInt8], sequence: UInt32, flags: UInt8 = psh | ack, clientPort: UInt16 = 40000,
        response: Bool = false
    ) -> [UInt8] {
        let segment =
            response
            ? tcp(payload, sourcePort: 53, destinationPort: clientPort, sequence: sequence, flags: flags)
            : tcp(payload, sourcePort: clientPort, sequence: sequence, flags: flags)
        return ethernet(
            ipv4(
                segment, protocolNumber: 6, source: response ? server4 : client4,
                destination: response ? client4 : server4))
    }

    /// A classic pcap file; frame `i` gets timestamp `1_700_000_000 + i` seconds plus `i` micro/nanoseconds.
    static func pcap(
        _ frames: [[UInt8]], linkType: UInt32 = 1, bigEndian: Bool = false, nanosecond: Bool = false
    ) -> [UInt8] {
        let word: (UInt32) -> [UInt8] = { bigEndian ? be32($0) : le32($0) }
        let half: (Int) -> [UInt8] = { bigEndian ? be16($0) : Array(be16($0).reversed()) }
        var bytes =
            word(nanosecond ? 0xA1B2_3C4D : 0xA1B2_C3D4) + half(2) + half(4) + word(0) + word(0)
            + word(65535) + word(linkType)
        for (index, frame) in frames.enumerated() {
            bytes +=
                word(1_700_000_000 + UInt32(index)) + word(UInt32(index)) + word(UInt32(frame.count))
                + word(UInt32(frame.count)) + frame
        }
        return bytes
    }
}

/// Runs frames of one link type through a fresh extractor, including `finish`.
func extract(
    _ frames: [[UInt8]], linkType: LinkType = .ethernet, configuration: DNSExtractor.Configuration = .init()
) -> (messages: [CapturedDNSMessage], statistics: ExtractionStatistics) {
    let captured = frames.enumerated().map { index, bytes in
        CapturedFrame(timestampNanoseconds: UInt64(index) * 1_000, linkType: linkType, bytes: bytes)
    }
    return DNSExtractor.extract(from: captured, configuration: configuration)
}

/// The DNS IDs of messages, in order.
func ids(_ messages: [CapturedDNSMessage]) -> [UInt16] {
    messages.map { UInt16($0.wire[0]) << 8 | UInt16($0.wire[1]) }
}
