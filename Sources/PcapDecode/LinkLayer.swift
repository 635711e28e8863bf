// Link layers: strip the link header and find the IPv4 or IPv6 packet inside.
//
// Supported: Ethernet II with any stack of 802.1Q / 802.1ad / QinQ tags (and PPPoE sessions), Linux
// cooked capture v1 and v2, raw IP, BSD null/loopback in either byte order, and PPP. Anything else is a
// counted skip (`unsupportedLinkType`, or `notIP` for a known link carrying a non-IP protocol).

/// The network-layer packet found in a frame.
enum NetworkPacket {
    /// An IPv4 packet (from its first header byte to the end of the frame, padding included).
    case ipv4(UnsafeBufferPointer<UInt8>)
    /// An IPv6 packet (likewise).
    case ipv6(UnsafeBufferPointer<UInt8>)
}

/// Pure functions from a frame's bytes to its network packet.
enum LinkLayer {
    /// VLAN tags read before giving up on a frame (QinQ uses 2; more is almost certainly garbage).
    static let maximumVLANTags = 8

    /// Ethertypes of VLAN tags: 802.1Q, 802.1ad, and the pre-standard QinQ values.
    static let vlanEtherTypes: Set<UInt16> = [0x8100, 0x88A8, 0x9100, 0x9200]

    /// BSD `AF_INET6` values: Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, Darwin 30.
    static let inet6Families: Set<UInt32> = [10, 24, 28, 30]

    /// Strips the link header of `bytes`.
    ///
    /// - Throws: `SkipReason` when there is no IP packet to read.
    static func networkPacket(in bytes: UnsafeBufferPointer<UInt8>, linkType: LinkType) throws(SkipReason) -> NetworkPacket {
        switch linkType {
        case .ethernet:
            guard let etherType = bytes.getUInt16(at: 12) else { throw .truncatedFrame }
            return try etherPayload(etherType: etherType, in: bytes, at: 14)
        case .linuxCooked:
            // packet type (2), ARPHRD (2), address length (2), address (8), protocol (2).
            guard let protocolType = bytes.getUInt16(at: 14) else { throw .truncatedFrame }
            return try etherPayload(etherType: protocolType, in: bytes, at: 16)
        case .linuxCookedV2:
            // protocol (2), reserved (2), interface index (4), ARPHRD (2), packet type, address length, address (8).
            guard let protocolType = bytes.getUInt16(at: 0), bytes.count >= 20 else { throw .truncatedFrame }
            return try etherPayload(etherType: protocolType, in: bytes, at: 20)
        case .raw, .rawLegacy:
            guard let first = bytes.getUInt8(at: 0) else { throw .truncatedFrame }
            switch first >> 4 {
            case 4: return .ipv4(bytes)
            case 6: return .ipv6(bytes)
            default: throw .badIPHeader
            }
        case .ipv4:
            return .ipv4(bytes)
        case .ipv6:
            return .ipv6(bytes)
        case .null, .loop:
            return try loopbackPayload(in: bytes)
        case .ppp:
            return try pppPayload(in: bytes)
        default:
            throw .unsupportedLinkType
        }
    }

    /// Follows an ethertype at `offset`, through VLAN tags and PPPoE session headers, to IPv4 or IPv6.
    static func etherPayload(
        etherType first: UInt16, in bytes: UnsafeBufferPointer<UInt8>, at start: Int
    ) throws(SkipReason) -> NetworkPacket {
        var etherType = first
        var offset = start
        var tags = 0
        while vlanEtherTypes.contains(etherType) {
            tags += 1
            // Tag control information (2), then the inner ethertype (2).
            guard tags <= maximumVLANTags else { throw .notIP }
            guard let inner = bytes.getUInt16(at: offset + 2) else { throw .truncatedFrame }
            etherType = inner
            offset += 4
        }
        switch etherType {
        case 0x0800:
            guard let packet = bytes.getSlice(from: offset) else { throw .truncatedFrame }
            return .ipv4(packet)
        case 0x86DD:
            guard let packet = bytes.getSlice(from: offset) else { throw .truncatedFrame }
            return .ipv6(packet)
        case 0x8864:
            // PPPoE session (RFC 2516): version/type, code, session ID, length (6 bytes), then a PPP protocol.
            guard let session = bytes.getSlice(from: offset + 6) else { throw .truncatedFrame }
            return try pppProtocolPayload(in: session)
        default:
            throw .notIP
        }
    }

    /// BSD loopback: a 4-byte address family, host byte order for `DLT_NULL`, network order for `DLT_LOOP`;
    /// both are accepted either way round, as tshark does, since families fit in 16 bits.
    static func loopbackPayload(in bytes: UnsafeBufferPointer<UInt8>) throws(SkipReason) -> NetworkPacket {
        guard var family = bytes.getUInt32(at: 0, bigEndian: false), let packet = bytes.getSlice(from: 4) else {
            throw .truncatedFrame
        }
        if family & 0xFFFF == 0 {
            family = family.byteSwapped
        }
        if family == 2 { return .ipv4(packet) }
        if inet6Families.contains(family) { return .ipv6(packet) }
        throw .notIP
    }

    /// PPP (`DLT_PPP`): optional HDLC address 0xFF and control 0x03 (RFC 1662), then the protocol field.
    static func pppPayload(in bytes: UnsafeBufferPointer<UInt8>) throws(SkipReason) -> NetworkPacket {
        guard let first = bytes.getUInt8(at: 0) else { throw .truncatedFrame }
        if first == 0xFF, bytes.getUInt8(at: 1) == 0x03, let rest = bytes.getSlice(from: 2) {
            return try pppProtocolPayload(in: rest)
        }
        return try pppProtocolPayload(in: bytes)
    }

    /// A PPP protocol field (1 byte when compressed: odd first byte, RFC 1661 §6.5) and its payload.
    static func pppProtocolPayload(in bytes: UnsafeBufferPointer<UInt8>) throws(SkipReason) -> NetworkPacket {
        guard let first = bytes.getUInt8(at: 0) else { throw .truncatedFrame }
        let protocolNumber: UInt16
        let length: Int
        if first & 1 == 1 {
            protocolNumber = UInt16(first)
            length = 1
        } else {
            guard let value = bytes.getUInt16(at: 0) else { throw .truncatedFrame }
            protocolNumber = value
            length = 2
        }
        guard let packet = bytes.getSlice(from: length) else { throw .truncatedFrame }
        switch protocolNumber {
        case 0x0021: return .ipv4(packet)
        case 0x0057: return .ipv6(packet)
        default: throw .notIP
        }
    }
}
