// From captured frames to DNS message candidates.
//
// Theory of operation: `process` takes one frame (from `PcapFile`, or from libpcap's `pcap_next_ex`) and
// runs it through link layer -> IPv4/IPv6 (+ fragment reassembly) -> UDP/TCP. A UDP datagram with a DNS
// port on either side is one candidate; TCP segments on a DNS port go to per-direction stream reassembly
// and length-prefix framing, which may complete zero or more candidates per segment. `finish` flushes
// what is left (incomplete fragments, holes, trailing bytes) into the counters. Every frame yields
// messages, is held in a bounded reassembly buffer (a fragment, a TCP segment), is a TCP segment on a DNS
// port that carries no data (SYN, ACK, FIN), or is counted under a `SkipReason`.
//
// The rules that decide what counts as a message follow tshark 4.0 (`-Y dns`), so that the number of
// candidates equals the number of DNS IDs tshark prints: the UDP length field bounds the payload unless it
// points past the IP payload; candidates under 4 bytes are not DNS (tshark reads ID and flags first).

/// Extracts DNS message candidates from captured frames, one frame at a time.
///
/// Sans-IO and deterministic: state changes only through `process` and `finish`. `process` appends
/// messages in the order its frames complete them (several from one frame keep their stream order);
/// `finish` appends, in frame order, those that waited behind a TCP hole that never filled.
public struct DNSExtractor: Sendable {
    /// What to extract and how much state to keep.
    public struct Configuration: Equatable, Sendable {
        /// UDP ports whose datagrams are DNS (either side). tshark's DNS dissector uses 53.
        public var udpPorts: [UInt16] = [53]
        /// TCP ports whose streams are DNS (either side). tshark also decodes 5353 as DNS over TCP.
        public var tcpPorts: [UInt16] = [53]
        /// Candidates shorter than this are counted as `dnsTooShort` (4 matches tshark: ID and flags).
        public var minimumMessageLength = 4
        /// Datagrams in fragment reassembly at once.
        public var maximumFragmentedDatagrams = 1_024
        /// Fragments kept per datagram.
        public var maximumFragmentsPerDatagram = 256
        /// TCP stream directions tracked at once.
        public var maximumTCPStreams = 4_096
        /// Out-of-order segments buffered per TCP direction.
        public var maximumOutOfOrderSegments = 256
        /// Out-of-order bytes buffered per TCP direction.
        public var maximumOutOfOrderBytes = 1 << 20

        /// The defaults.
        public init() {}
    }

    /// Everything counted so far.
    public var statistics: ExtractionStatistics { context.statistics }
    private let configuration: Configuration
    private var fragments = FragmentReassembler()
    private var streams = TCPStreamTable()
    /// Counters, plus TCP messages found during the current call (emptied before it returns).
    private var context = ReassemblyContext()

    /// A fresh extractor.
    public init(configuration: Configuration = Configuration()) {
        precondition(configuration.minimumMessageLength >= 0, "a length is not negative")
        self.configuration = configuration
        fragments.maximumGroups = configuration.maximumFragmentedDatagrams
        fragments.maximumPiecesPerGroup = configuration.maximumFragmentsPerDatagram
        context.limits = TCPStreamTable.Limits(
            maximumStreams: configuration.maximumTCPStreams,
            maximumOutOfOrderSegments: configuration.maximumOutOfOrderSegments,
            maximumOutOfOrderBytes: configuration.maximumOutOfOrderBytes)
    }

    /// Decodes one frame, appending the messages it completes to `output`.
    ///
    /// The headers are read through a view on the frame's bytes (no reference counting per layer);
    /// what outlives the call (fragments, TCP segments, messages) is copied out of it.
    public mutating func process(_ frame: CapturedFrame, into output: inout [CapturedDNSMessage]) {
        context.statistics.frames += 1
        let stamp = FrameStamp(frameNumber: context.statistics.frames, timestampNanoseconds: frame.timestampNanoseconds)
        let frameMissing = frame.originalLength - frame.bytes.count
        let failure = frame.bytes.withUnsafeBufferPointer { bytes -> SkipReason? in
            do throws(SkipReason) {
                let network = try LinkLayer.networkPacket(in: bytes, linkType: frame.linkType)
                let packet = try ipPacket(network, frameMissing: frameMissing)
                guard let fragment = packet.fragment else {
                    try transport(packet, stamp: stamp, output: &output)
                    return nil
                }
                guard let datagram = try reassemble(packet, fragment: fragment) else { return nil }
                return datagram.withUnsafeBufferPointer { payload -> SkipReason? in
                    do throws(SkipReason) {
                        let whole = try reassembledPacket(packet, payload: payload)
                        try transport(whole, stamp: stamp, output: &output)
                        return nil
                    } catch {
                        return error
                    }
                }
            } catch {
                return error
            }
        }
        if let failure { context.statistics.skipped.add(failure) }
    }

    /// Decodes one frame given as its parts (the shape libpcap's `pcap_next_ex` delivers).
    public mutating func process(
        linkType: LinkType, timestampNanoseconds: UInt64, bytes: ArraySlice<UInt8>, originalLength: Int,
        into output: inout [CapturedDNSMessage]
    ) {
        let frame = CapturedFrame(
            timestampNanoseconds: timestampNanoseconds, linkType: linkType, bytes: bytes, originalLength: originalLength
        )
        process(frame, into: &output)
    }

    /// Ends the capture: flushes TCP streams and counts unfinished fragments and messages. Messages that
    /// waited behind a hole that never filled are delivered now, in frame order, each carrying the frame
    /// that brought it. The extractor can be used again afterwards.
    public mutating func finish(into output: inout [CapturedDNSMessage]) {
        context.statistics.skipped.add(.fragmentIncomplete, fragments.finish())
        streams.finish(context: &context)
        // Stable: messages of one frame keep their stream order.
        context.messages = context.messages.enumerated()
            .sorted { ($0.element.stamp.frameNumber, $0.offset) < ($1.element.stamp.frameNumber, $1.offset) }
            .map(\.element)
        emitTCPMessages(into: &output)
    }

    /// Runs a whole capture: every frame, then `finish`.
    public static func extract(
        from frames: some Sequence<CapturedFrame>, configuration: Configuration = Configuration()
    ) -> (messages: [CapturedDNSMessage], statistics: ExtractionStatistics) {
        var extractor = DNSExtractor(configuration: configuration)
        var messages: [CapturedDNSMessage] = []
        for frame in frames {
            extractor.process(frame, into: &messages)
        }
        extractor.finish(into: &messages)
        return (messages, extractor.statistics)
    }

    /// The IP packet in the frame (perhaps one fragment of a datagram).
    private mutating func ipPacket(_ network: NetworkPacket, frameMissing: Int) throws(SkipReason) -> IPPacket {
        switch network {
        case .ipv4(let bytes):
            try IPPacket.ipv4(bytes, frameMissing: frameMissing, anomalies: &context.statistics.anomalies)
        case .ipv6(let bytes):
            try IPPacket.ipv6(bytes, frameMissing: frameMissing, anomalies: &context.statistics.anomalies)
        }
    }

    /// Adds a fragment to reassembly: the datagram's payload once complete, `nil` while fragments are missing.
    private mutating func reassemble(_ packet: IPPacket, fragment: FragmentInfo) throws(SkipReason) -> [UInt8]? {
        // tshark does not reassemble a datagram from a cut fragment either.
        guard !packet.isSnapTruncated else { throw .snapTruncated }
        let key = FragmentReassembler.Key(
            source: packet.source, destination: packet.destination, protocolNumber: packet.protocolNumber,
            identification: fragment.identification)
        let outcome = try fragments.add(
            key: key, fragment: fragment, payload: packet.payload, counters: &context.statistics)
        guard case .complete(let payload) = outcome else { return nil }
        return payload
    }

    /// The last fragment's packet carrying the whole reassembled `payload` (a view valid while it is).
    private func reassembledPacket(_ last: IPPacket, payload: UnsafeBufferPointer<UInt8>) throws(SkipReason) -> IPPacket {
        var packet = last
        packet.fragment = nil
        if packet.source.family == .ipv6 {
            // The reassembled payload starts with the fragmentable part's extension headers.
            let chain = try IPv6ExtensionHeaders.walk(
                nextHeader: packet.protocolNumber, bytes: payload, isSnapTruncated: false)
            guard chain.fragment == nil else { throw .badExtensionHeader }
            packet.protocolNumber = chain.protocolNumber
            packet.payload = chain.payload
        } else {
            packet.payload = payload
        }
        return packet
    }

    private mutating func transport(
        _ packet: IPPacket, stamp: FrameStamp, output: inout [CapturedDNSMessage]
    ) throws(SkipReason) {
        switch packet.protocolNumber {
        case 17:
            let datagram = try UDPDatagram.parse(packet.payload, isSnapTruncated: packet.isSnapTruncated)
            guard
                configuration.udpPorts.contains(datagram.sourcePort)
                    || configuration.udpPorts.contains(datagram.destinationPort)
            else { throw .notDNSPort }
            let payload = try datagram.payload(
                isIPv6: packet.source.family == .ipv6, snapMissing: packet.snapMissing,
                anomalies: &context.statistics.anomalies)
            guard payload.bytes.count >= configuration.minimumMessageLength else {
                throw payload.isSnapTruncated ? .snapTruncated : .dnsTooShort
            }
            context.statistics.udpMessages += 1
            if payload.isSnapTruncated { context.statistics.anomalies.add(.snapTruncatedMessage) }
            output.append(
                CapturedDNSMessage(
                    frameNumber: stamp.frameNumber, timestampNanoseconds: stamp.timestampNanoseconds,
                    source: IPEndpoint(address: packet.source, port: datagram.sourcePort),
                    destination: IPEndpoint(address: packet.destination, port: datagram.destinationPort),
                    transport: .udp, wire: Array(payload.bytes), isSnapTruncated: payload.isSnapTruncated))
        case 6:
            let segment = try TCPSegment.parse(packet.payload, isSnapTruncated: packet.isSnapTruncated)
            guard
                configuration.tcpPorts.contains(segment.sourcePort)
                    || configuration.tcpPorts.contains(segment.destinationPort)
            else { throw .notDNSPort }
            let flow = TCPFlowKey(
                source: IPEndpoint(address: packet.source, port: segment.sourcePort),
                destination: IPEndpoint(address: packet.destination, port: segment.destinationPort))
            streams.receive(segment, missing: packet.snapMissing, flow: flow, stamp: stamp, context: &context)
            emitTCPMessages(into: &output)
        case 1, 58:
            throw icmpSkipReason(packet)
        default:
            throw .unsupportedTransport
        }
    }

    /// `icmpQuotedDNS` for an ICMP (RFC 792) or ICMPv6 (RFC 4443) error quoting a UDP datagram on a DNS
    /// port with at least the ID and flags; `unsupportedTransport` for any other ICMP message.
    private func icmpSkipReason(_ packet: IPPacket) -> SkipReason {
        let errorTypes: [UInt8] = packet.protocolNumber == 1 ? [3, 4, 5, 11, 12] : [1, 2, 3, 4]
        guard let type = packet.payload.getUInt8(at: 0), errorTypes.contains(type),
            let quote = packet.payload.getSlice(from: 8), let version = quote.getUInt8(at: 0)
        else { return .unsupportedTransport }
        // A quote is cut short by design; tell the IP decoder the rest was not captured.
        var ignored = ReasonCounts<Anomaly>()
        let inner =
            version >> 4 == 4
            ? try? IPPacket.ipv4(quote, frameMissing: 65_535, anomalies: &ignored)
            : try? IPPacket.ipv6(quote, frameMissing: 65_535, anomalies: &ignored)
        guard let inner, inner.protocolNumber == 17, inner.fragment?.offset ?? 0 == 0,
            let datagram = try? UDPDatagram.parse(inner.payload, isSnapTruncated: true),
            configuration.udpPorts.contains(datagram.sourcePort)
                || configuration.udpPorts.contains(datagram.destinationPort),
            datagram.available.count >= configuration.minimumMessageLength
        else { return .unsupportedTransport }
        return .icmpQuotedDNS
    }

    /// Turns framed TCP candidates into messages (or `dnsTooShort` counts) and clears the scratch buffer.
    private mutating func emitTCPMessages(into output: inout [CapturedDNSMessage]) {
        for record in context.messages {
            guard record.wire.count >= configuration.minimumMessageLength else {
                context.statistics.skipped.add(record.isSnapTruncated ? .snapTruncated : .dnsTooShort)
                continue
            }
            context.statistics.tcpMessages += 1
            if record.isSnapTruncated { context.statistics.anomalies.add(.snapTruncatedMessage) }
            output.append(
                CapturedDNSMessage(
                    frameNumber: record.stamp.frameNumber, timestampNanoseconds: record.stamp.timestampNanoseconds,
                    source: record.flow.source, destination: record.flow.destination, transport: .tcp,
                    wire: Array(record.wire), isSnapTruncated: record.isSnapTruncated))
        }
        context.messages.removeAll(keepingCapacity: true)
    }
}
