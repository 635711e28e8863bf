// IPv4 (RFC 791) and IPv6 (RFC 8200) headers: addresses, transport protocol, payload, fragment info.
//
// Length handling follows tshark, so counts agree with it: the payload ends where the IP length field
// says (link padding is dropped); a length field larger than the frame is tolerated (counted as an
// anomaly) unless the capture itself cut the frame short, in which case the packet records how many of
// its bytes the capture dropped.

/// Where a fragment goes in its datagram.
struct FragmentInfo: Equatable {
    /// IPv4 Identification (16 bits) or IPv6 fragment header Identification (32 bits).
    var identification: UInt32
    /// Byte offset of this fragment's data in the datagram's payload.
    var offset: Int
    /// More Fragments flag: false on the last fragment.
    var moreFragments: Bool
}

/// An IP packet reduced to what the transport layer needs.
struct IPPacket {
    /// Sender address.
    var source: IPAddress
    /// Receiver address.
    var destination: IPAddress
    /// IPv4 protocol or the IPv6 next header after the extension headers (17 UDP, 6 TCP).
    var protocolNumber: UInt8
    /// Transport header and data (or, for a fragment, this fragment's share of them): a view on the
    /// frame (or the reassembled datagram) being decoded, valid only while it is.
    var payload: UnsafeBufferPointer<UInt8>
    /// Bytes of the packet the capture's snap length dropped (0 when it was captured whole).
    var snapMissing: Int
    /// Set when the packet is one fragment of a larger datagram.
    var fragment: FragmentInfo?

    /// The capture's snap length cut the payload short.
    var isSnapTruncated: Bool { snapMissing > 0 }

    /// Decodes the IPv4 packet at the start of `bytes`.
    ///
    /// - Parameter frameMissing: how many bytes of the frame holding `bytes` the snap length dropped.
    static func ipv4(
        _ bytes: UnsafeBufferPointer<UInt8>, frameMissing: Int, anomalies: inout ReasonCounts<Anomaly>
    ) throws(SkipReason) -> IPPacket {
        let frameTruncated = frameMissing > 0
        guard let versionAndLength = bytes.getUInt8(at: 0), bytes.count >= 20 else {
            throw frameTruncated ? .snapTruncated : .truncatedFrame
        }
        guard versionAndLength >> 4 == 4 else { throw .badIPHeader }
        let headerLength = Int(versionAndLength & 0x0F) * 4
        guard headerLength >= 20 else { throw .badIPHeader }
        guard headerLength <= bytes.count else { throw frameTruncated ? .snapTruncated : .truncatedFrame }
        guard let totalField = bytes.getUInt16(at: 2), let flagsAndOffset = bytes.getUInt16(at: 6),
            let identification = bytes.getUInt16(at: 4), let protocolNumber = bytes.getUInt8(at: 9),
            let source = bytes.getUInt32(at: 12), let destination = bytes.getUInt32(at: 16)
        else { throw .truncatedFrame }
        var totalLength = Int(totalField)
        if totalLength == 0 {
            // TCP segmentation offload leaves 0; tshark then uses the frame's length.
            anomalies.add(.ipLengthZero)
            totalLength = bytes.count
        }
        guard totalLength >= headerLength else { throw .badIPHeader }
        let (end, missing) = payloadEnd(
            claimed: totalLength, available: bytes.count, frameMissing: frameMissing, anomalies: &anomalies)
        let fragmentOffset = Int(flagsAndOffset & 0x1FFF) * 8
        let moreFragments = flagsAndOffset & 0x2000 != 0
        let fragment =
            fragmentOffset != 0 || moreFragments
            ? FragmentInfo(identification: UInt32(identification), offset: fragmentOffset, moreFragments: moreFragments)
            : nil
        return IPPacket(
            source: IPAddress(ipv4: source), destination: IPAddress(ipv4: destination),
            protocolNumber: protocolNumber,
            payload: UnsafeBufferPointer(rebasing: bytes[headerLength..<end]),
            snapMissing: missing, fragment: fragment)
    }

    /// Decodes the IPv6 packet at the start of `bytes`, walking its extension headers.
    static func ipv6(
        _ bytes: UnsafeBufferPointer<UInt8>, frameMissing: Int, anomalies: inout ReasonCounts<Anomaly>
    ) throws(SkipReason) -> IPPacket {
        let frameTruncated = frameMissing > 0
        guard let first = bytes.getUInt8(at: 0), let payloadField = bytes.getUInt16(at: 4),
            let nextHeader = bytes.getUInt8(at: 6),
            let sourceBytes = bytes.getSlice(at: 8, length: 16), let source = IPAddress(bytes: sourceBytes),
            let destinationBytes = bytes.getSlice(at: 24, length: 16),
            let destination = IPAddress(bytes: destinationBytes)
        else { throw frameTruncated ? .snapTruncated : .truncatedFrame }
        guard first >> 4 == 6 else { throw .badIPHeader }
        var claimed = 40 + Int(payloadField)
        if payloadField == 0, nextHeader == 0 {
            // A jumbogram (RFC 2675) carries its length in a hop-by-hop option; use the frame's length.
            claimed = bytes.count
        }
        let (end, missing) = payloadEnd(
            claimed: claimed, available: bytes.count, frameMissing: frameMissing, anomalies: &anomalies)
        let chain = try IPv6ExtensionHeaders.walk(
            nextHeader: nextHeader, bytes: UnsafeBufferPointer(rebasing: bytes[40..<end]),
            isSnapTruncated: missing > 0)
        return IPPacket(
            source: source, destination: destination, protocolNumber: chain.protocolNumber,
            payload: chain.payload, snapMissing: missing, fragment: chain.fragment)
    }

    /// Where the packet ends in the captured bytes, and how many of its bytes the capture dropped.
    private static func payloadEnd(
        claimed: Int, available: Int, frameMissing: Int, anomalies: inout ReasonCounts<Anomaly>
    ) -> (end: Int, missing: Int) {
        guard claimed > available else { return (claimed, 0) }
        if claimed - available > frameMissing {
            anomalies.add(.ipLengthBeyondFrame)
        }
        return (available, min(claimed - available, frameMissing))
    }
}

/// The IPv6 extension-header chain (RFC 8200 §4): hop-by-hop, routing, fragment, destination options,
/// and authentication (RFC 4302).
enum IPv6ExtensionHeaders {
    /// Headers walked before the packet is rejected as `badExtensionHeader`.
    static let maximumHeaders = 16

    /// The transport protocol and payload after the chain, stopping at a (non-atomic) fragment header.
    static func walk(
        nextHeader first: UInt8, bytes: UnsafeBufferPointer<UInt8>, isSnapTruncated: Bool
    ) throws(SkipReason) -> (protocolNumber: UInt8, payload: UnsafeBufferPointer<UInt8>, fragment: FragmentInfo?) {
        var nextHeader = first
        var offset = 0
        for _ in 0..<maximumHeaders {
            let length: Int
            switch nextHeader {
            case 0, 43, 60:  // hop-by-hop, routing, destination options: length in 8-octet units, minus 1
                guard let units = bytes.getUInt8(at: offset + 1) else { throw shortChain(isSnapTruncated) }
                length = (Int(units) + 1) * 8
            case 51:  // authentication header: length in 4-octet units, minus 2
                guard let units = bytes.getUInt8(at: offset + 1) else { throw shortChain(isSnapTruncated) }
                length = (Int(units) + 2) * 4
            case 44:  // fragment: next header, reserved, offset and M flag, identification
                guard let header = bytes.getUInt8(at: offset), let field = bytes.getUInt16(at: offset + 2),
                    let identification = bytes.getUInt32(at: offset + 4), let rest = bytes.getSlice(from: offset + 8)
                else { throw shortChain(isSnapTruncated) }
                let fragment = FragmentInfo(
                    identification: identification, offset: Int(field & 0xFFF8), moreFragments: field & 1 != 0)
                if fragment.offset != 0 || fragment.moreFragments {
                    return (header, rest, fragment)
                }
                // An atomic fragment (RFC 6946) is a whole datagram: keep walking.
                nextHeader = header
                offset += 8
                continue
            default:
                guard let payload = bytes.getSlice(from: offset) else { throw shortChain(isSnapTruncated) }
                return (nextHeader, payload, nil)
            }
            guard let header = bytes.getUInt8(at: offset), bytes.count - offset >= length else {
                throw shortChain(isSnapTruncated)
            }
            nextHeader = header
            offset += length
        }
        throw .badExtensionHeader
    }

    private static func shortChain(_ isSnapTruncated: Bool) -> SkipReason {
        isSnapTruncated ? .snapTruncated : .badExtensionHeader
    }
}
