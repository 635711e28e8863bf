// UDP (RFC 768) and TCP (RFC 9293) headers: ports, and the bytes a DNS message can be in.

/// Frame number and capture time: where a message was completed.
struct FrameStamp: Equatable, Sendable {
    /// 1-based frame number.
    var frameNumber: Int
    /// Capture time in nanoseconds since the epoch.
    var timestampNanoseconds: UInt64
}

/// A UDP datagram's ports and payload.
struct UDPDatagram {
    var sourcePort: UInt16
    var destinationPort: UInt16
    /// Declared length minus the header, not yet cut to what the IP payload holds.
    var declaredPayloadLength: Int
    /// The IP payload after the 8-byte header.
    var available: UnsafeBufferPointer<UInt8>

    /// Reads the header at the start of an IP payload.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, isSnapTruncated: Bool) throws(SkipReason) -> UDPDatagram {
        guard let sourcePort = bytes.getUInt16(at: 0), let destinationPort = bytes.getUInt16(at: 2),
            let length = bytes.getUInt16(at: 4), let available = bytes.getSlice(from: 8)
        else { throw isSnapTruncated ? .snapTruncated : .truncatedFrame }
        return UDPDatagram(
            sourcePort: sourcePort, destinationPort: destinationPort,
            declaredPayloadLength: Int(length) - 8, available: available)
    }

    /// The payload the way tshark cuts it: the UDP length field bounds it, but a field larger than the IP
    /// payload is ignored (the IP payload is used); a field under 8 is fatal. For IPv6 a zero length is
    /// a jumbogram (RFC 2675) and the IP payload is used. `isSnapTruncated` is set when the capture
    /// dropped some of the payload.
    func payload(
        isIPv6: Bool, snapMissing: Int, anomalies: inout ReasonCounts<Anomaly>
    ) throws(SkipReason) -> (bytes: UnsafeBufferPointer<UInt8>, isSnapTruncated: Bool) {
        var declared = declaredPayloadLength
        if declared == -8, isIPv6 {
            declared = available.count + snapMissing
        }
        guard declared >= 0 else { throw .badUDPLength }
        if declared < available.count {
            anomalies.add(.udpLengthShorterThanPayload)
            return (available.getPrefix(declared), false)
        }
        if declared > available.count + snapMissing {
            anomalies.add(.udpLengthBeyondPayload)
        }
        return (available, declared > available.count && snapMissing > 0)
    }
}

/// A TCP segment: what stream reassembly needs.
struct TCPSegment {
    var sourcePort: UInt16
    var destinationPort: UInt16
    var sequence: UInt32
    var syn: Bool
    var fin: Bool
    var reset: Bool
    /// The captured payload (the capture may have dropped more; see `IPPacket.snapMissing`).
    var payload: UnsafeBufferPointer<UInt8>

    /// Reads the header at the start of an IP payload.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, isSnapTruncated: Bool) throws(SkipReason) -> TCPSegment {
        guard let sourcePort = bytes.getUInt16(at: 0), let destinationPort = bytes.getUInt16(at: 2),
            let sequence = bytes.getUInt32(at: 4), let offsetByte = bytes.getUInt8(at: 12),
            let flags = bytes.getUInt8(at: 13), bytes.count >= 20
        else { throw isSnapTruncated ? .snapTruncated : .truncatedFrame }
        let headerLength = Int(offsetByte >> 4) * 4
        guard headerLength >= 20 else { throw .badTCPHeader }
        guard let payload = bytes.getSlice(from: headerLength) else {
            throw isSnapTruncated ? .snapTruncated : .badTCPHeader
        }
        return TCPSegment(
            sourcePort: sourcePort, destinationPort: destinationPort, sequence: sequence,
            syn: flags & 0x02 != 0, fin: flags & 0x01 != 0, reset: flags & 0x04 != 0, payload: payload)
    }
}
