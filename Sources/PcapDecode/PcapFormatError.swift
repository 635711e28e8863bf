/// A pcap or pcapng file that cannot be read further.
///
/// Always the input's fault (a damaged or unsupported file), never the caller's. Frames read before the
/// error remain valid; ``PcapFile`` returns no frames after it.
public struct PcapFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong with the file.
    public enum Reason: Equatable, Sendable {
        /// The first four bytes are neither a pcap magic number nor a pcapng Section Header Block.
        case unknownMagic(UInt32)
        /// A classic pcap file whose major version is not 2, or a pcapng section whose major version is not 1.
        case unsupportedVersion(major: UInt16, minor: UInt16)
        /// The file ends inside the 24-byte pcap file header.
        case truncatedFileHeader
        /// The file ends inside a 16-byte pcap record header.
        case truncatedRecordHeader
        /// A pcap record claims more captured bytes than the file still holds.
        case truncatedRecordData(capturedLength: UInt32)
        /// The file ends inside a pcapng block.
        case truncatedBlock
        /// A pcapng block length that is under 12, not a multiple of 4, or differs from its trailing copy.
        case badBlockLength(UInt32)
        /// A pcapng Section Header Block whose byte-order magic is not 0x1A2B3C4D in either order.
        case badByteOrderMagic(UInt32)
        /// A pcapng packet block whose captured length does not fit in the block.
        case badPacketLength(UInt32)
        /// A pcapng packet block naming an interface no Interface Description Block defined.
        case unknownInterface(UInt32)
        /// A pcapng block before the first Section Header Block.
        case missingSectionHeader
    }

    /// Byte offset in the file of the header or block that failed.
    public var offset: Int
    /// What failed there.
    public var reason: Reason

    /// Creates an error at `offset`.
    public init(offset: Int, reason: Reason) {
        self.offset = offset
        self.reason = reason
    }

    /// `"offset N: reason"`.
    public var description: String { "offset \(offset): \(reason)" }
}
