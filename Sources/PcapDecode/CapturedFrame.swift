/// One captured link-layer frame: what a pcap record, a pcapng packet block or libpcap's
/// `pcap_next_ex` delivers.
///
/// ``DNSExtractor`` consumes these one at a time, so the file reader (``PcapFile``) and a live
/// capture are interchangeable sources.
public struct CapturedFrame: Equatable, Sendable {
    /// Capture time in nanoseconds since the Unix epoch (0 when the format has none, as for a
    /// pcapng Simple Packet Block).
    public var timestampNanoseconds: UInt64
    /// How to read the start of ``bytes``.
    public var linkType: LinkType
    /// The captured bytes, possibly fewer than were on the wire (snap length).
    public var bytes: ArraySlice<UInt8>
    /// The frame's length on the wire; larger than `bytes.count` when the capture cut it short.
    public var originalLength: Int

    /// Creates a frame. `originalLength` smaller than the captured length is raised to it.
    public init(timestampNanoseconds: UInt64, linkType: LinkType, bytes: ArraySlice<UInt8>, originalLength: Int? = nil)
    {
        self.timestampNanoseconds = timestampNanoseconds
        self.linkType = linkType
        self.bytes = bytes
        self.originalLength = max(originalLength ?? bytes.count, bytes.count)
    }

    /// Creates a frame from a whole array.
    public init(timestampNanoseconds: UInt64, linkType: LinkType, bytes: [UInt8], originalLength: Int? = nil) {
        self.init(
            timestampNanoseconds: timestampNanoseconds, linkType: linkType, bytes: bytes[...],
            originalLength: originalLength)
    }

    /// Whether the capture kept fewer bytes than the frame had on the wire.
    public var isSnapTruncated: Bool { bytes.count < originalLength }
}
