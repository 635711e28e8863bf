/// One DNS message candidate found in a capture: the bytes a DNS decoder should be given, and where and
/// when they travelled.
///
/// "Candidate" because nothing here parses DNS: a UDP payload on port 53, or one length-prefixed unit of
/// a TCP stream on port 53, is a candidate whatever it contains.
public struct CapturedDNSMessage: Equatable, Sendable {
    /// How the message travelled.
    public enum Transport: Hashable, Sendable {
        /// One UDP datagram (possibly reassembled from IP fragments).
        case udp
        /// One length-prefixed message of a TCP stream (RFC 1035 §4.2.2); the prefix is not in ``wire``.
        case tcp
    }

    /// 1-based number of the frame that completed the message (its last fragment or segment), counting
    /// every frame given to the extractor, as tshark numbers frames.
    public var frameNumber: Int
    /// Capture time of that frame, in nanoseconds since the Unix epoch.
    public var timestampNanoseconds: UInt64
    /// The sender.
    public var source: IPEndpoint
    /// The receiver.
    public var destination: IPEndpoint
    /// UDP or TCP.
    public var transport: Transport
    /// The DNS message bytes, starting with the ID.
    public var wire: [UInt8]
    /// The capture's snap length cut the message: ``wire`` holds only its first bytes, so decoding it
    /// will fail. Kept because tshark counts such messages too.
    public var isSnapTruncated: Bool

    /// Creates a message record.
    public init(
        frameNumber: Int, timestampNanoseconds: UInt64, source: IPEndpoint, destination: IPEndpoint,
        transport: Transport, wire: [UInt8], isSnapTruncated: Bool = false
    ) {
        self.isSnapTruncated = isSnapTruncated
        self.frameNumber = frameNumber
        self.timestampNanoseconds = timestampNanoseconds
        self.source = source
        self.destination = destination
        self.transport = transport
        self.wire = wire
    }
}
