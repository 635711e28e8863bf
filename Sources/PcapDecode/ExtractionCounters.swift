/// Why a frame, packet, segment or message candidate produced no DNS message.
///
/// Every input the extractor drops is counted under exactly one reason, so a report can account for all
/// of a capture. The unit counted is noted per case.
public enum SkipReason: Int, Error, CaseIterable, Hashable, Sendable {
    /// Frame (or reassembled datagram) shorter than a link, IP or transport header it starts.
    case truncatedFrame
    /// Frame whose link type the decoder does not read.
    case unsupportedLinkType
    /// Frame carrying something other than IPv4 or IPv6 (ARP, LLDP, 802.3 LLC, …).
    case notIP
    /// Packet with an impossible IP header: wrong version, header length under the minimum, total length
    /// shorter than the header.
    case badIPHeader
    /// IPv6 packet whose extension-header chain runs past its end or is too long.
    case badExtensionHeader
    /// Packet whose transport is neither UDP nor TCP (ICMP, ESP, …), or that has no transport (next header 59).
    case unsupportedTransport
    /// ICMP or ICMPv6 error quoting a UDP DNS message (port unreachable and the like). Not a message that
    /// was delivered, so not extracted; tshark does show the quoted message, so add this count to compare.
    case icmpQuotedDNS
    /// Packet, fragment or segment the capture cut short (snap length) so that no message could be taken
    /// from it; a cut message whose ID and flags survive is still extracted (see
    /// ``Anomaly/snapTruncatedMessage``).
    case snapTruncated
    /// Fragment dropped by a reassembly bound: the datagram exceeds 65,535 bytes or has too many fragments,
    /// or too many datagrams were in reassembly and the oldest was evicted (counted once per datagram).
    case fragmentLimit
    /// Datagram still missing fragments when the capture ended (counted once per datagram).
    case fragmentIncomplete
    /// UDP datagram whose length field is under 8 (tshark reports "BAD UDP LENGTH" and stops).
    case badUDPLength
    /// TCP segment whose data offset is under 5 words or past the segment's end.
    case badTCPHeader
    /// UDP datagram or TCP segment with no DNS port on either side.
    case notDNSPort
    /// Candidate under 4 bytes (UDP payload or TCP length prefix): too short for the ID and flags, which
    /// is also where tshark stops recognising DNS.
    case dnsTooShort
    /// TCP segment all of whose data was already received (a retransmission or duplicate).
    case tcpRetransmission
    /// Missing bytes in a TCP stream (counted once per hole); the message they fall in is lost.
    case tcpGap
    /// TCP stream that ended (FIN, RST, end of capture, eviction) inside a message: trailing junk or a
    /// message never completed.
    case tcpTrailingBytes
}

/// Irregularities the extractor tolerated: the input was still used, the way tshark uses it.
public enum Anomaly: Int, CaseIterable, Hashable, Sendable {
    /// IPv4 total length or IPv6 payload length is larger than the frame: the bytes present were used.
    case ipLengthBeyondFrame
    /// IPv4 total length 0 (TCP segmentation offload): the frame's length was used.
    case ipLengthZero
    /// UDP length field larger than the IP payload: the IP payload was used (as tshark does).
    case udpLengthBeyondPayload
    /// UDP length field smaller than the IP payload: bytes after it were ignored.
    case udpLengthShorterThanPayload
    /// Fragments overlapped; the bytes of the fragment with the lower offset were kept.
    case fragmentOverlap
    /// A datagram was reassembled from fragments.
    case fragmentReassembled
    /// TCP segment that arrived ahead of a hole and waited in the out-of-order buffer.
    case tcpOutOfOrder
    /// TCP segment that partly repeated received data; the repeated part was dropped.
    case tcpOverlapTrimmed
    /// A TCP stream was evicted because the stream table was full (its data was flushed first).
    case tcpStreamEvicted
    /// A message the capture cut short was extracted anyway (as tshark shows it), marked
    /// ``CapturedDNSMessage/isSnapTruncated``.
    case snapTruncatedMessage
}

/// Counts per case of `Reason`, kept in declaration order (no hashing, so reports are stable).
public struct ReasonCounts<Reason: RawRepresentable & CaseIterable & Sendable>: Equatable, Sendable
where Reason.RawValue == Int {
    private var counts = [Int](repeating: 0, count: Reason.allCases.count)

    /// All zero.
    public init() {}

    /// The count for `reason`.
    public subscript(reason: Reason) -> Int {
        counts[reason.rawValue]
    }

    /// Adds `amount` to the count for `reason`.
    public mutating func add(_ reason: Reason, _ amount: Int = 1) {
        precondition(amount >= 0, "counts only grow")
        counts[reason.rawValue] += amount
    }

    /// Sum over all reasons.
    public var total: Int { counts.reduce(0, +) }

    /// The reasons with a non-zero count, in declaration order.
    public var nonZero: [(reason: Reason, count: Int)] {
        Reason.allCases.compactMap { reason in
            let count = counts[reason.rawValue]
            return count == 0 ? nil : (reason, count)
        }
    }
}

/// Everything the extractor counted so far.
public struct ExtractionStatistics: Equatable, Sendable {
    /// Frames given to the extractor.
    public var frames = 0
    /// Messages found in UDP datagrams.
    public var udpMessages = 0
    /// Messages found in TCP streams.
    public var tcpMessages = 0
    /// Inputs dropped, by reason.
    public var skipped = ReasonCounts<SkipReason>()
    /// Irregularities tolerated, by kind.
    public var anomalies = ReasonCounts<Anomaly>()

    /// All zero.
    public init() {}

    /// UDP plus TCP messages.
    public var messages: Int { udpMessages + tcpMessages }
}
