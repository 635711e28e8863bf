// Reader for capture files held in memory: classic pcap (both byte orders, micro- and nanosecond
// timestamps) and pcapng (see PcapFile+NextGeneration.swift).
//
// Theory of operation: `init(bytes:)` checks the file header and picks the format; `nextFrame()` walks
// records (or blocks) from the front, returning one `CapturedFrame` per packet and skipping pcapng blocks
// that carry no packet. The first structural problem ends the walk with a `PcapFormatError` naming the
// byte offset; frames already returned stay valid, and later calls return nil. Frames are slices of the
// file's buffer, so reading copies no packet bytes.

/// Reads frames from a pcap or pcapng file's bytes.
///
/// The reader does no I/O: the caller loads the file. Feed the frames to ``DNSExtractor``.
public struct PcapFile: Sendable {
    /// Which container the bytes use.
    public enum Format: Equatable, Sendable {
        /// Classic libpcap format; `bigEndian` is the writer's byte order, `nanosecond` the magic's
        /// timestamp resolution.
        case classic(bigEndian: Bool, nanosecond: Bool)
        /// pcapng; byte order is per section.
        case nextGeneration
    }

    /// The container format, from the file's first bytes.
    public let format: Format
    let bytes: [UInt8]
    var offset: Int
    var finished = false
    /// Classic files: the one link type of the file.
    var classicLinkType = LinkType.null
    /// pcapng files: the state of the current section.
    var section = NextGenerationSection()

    /// Classic magic numbers as read little-endian: the writer's order and resolution follow from which matches.
    static let classicMagics: [(magic: UInt32, bigEndian: Bool, nanosecond: Bool)] = [
        (0xA1B2_C3D4, false, false), (0xD4C3_B2A1, true, false),
        (0xA1B2_3C4D, false, true), (0x4D3C_B2A1, true, true),
    ]
    static let classicHeaderLength = 24
    static let classicRecordHeaderLength = 16

    /// Checks the file header.
    ///
    /// - Throws: ``PcapFormatError`` when the bytes are not a supported capture file.
    public init(bytes: [UInt8]) throws(PcapFormatError) {
        self.bytes = bytes
        let slice = bytes[...]
        guard let magic = slice.getUInt32(at: 0, bigEndian: false) else {
            throw PcapFormatError(offset: 0, reason: .truncatedFileHeader)
        }
        if magic == Self.sectionHeaderType {
            format = .nextGeneration
            offset = 0
            return
        }
        guard let entry = Self.classicMagics.first(where: { $0.magic == magic }) else {
            throw PcapFormatError(offset: 0, reason: .unknownMagic(magic))
        }
        format = .classic(bigEndian: entry.bigEndian, nanosecond: entry.nanosecond)
        guard let major = slice.getUInt16(at: 4, bigEndian: entry.bigEndian),
            let minor = slice.getUInt16(at: 6, bigEndian: entry.bigEndian),
            let linkField = slice.getUInt32(at: 20, bigEndian: entry.bigEndian)
        else {
            throw PcapFormatError(offset: 0, reason: .truncatedFileHeader)
        }
        guard major == 2 else {
            throw PcapFormatError(offset: 0, reason: .unsupportedVersion(major: major, minor: minor))
        }
        // The upper bits hold FCS information; the link type is the low 16 bits.
        classicLinkType = LinkType(rawValue: linkField & 0xFFFF)
        offset = Self.classicHeaderLength
    }

    /// The next frame, or `nil` at the end of the file (and after an error).
    ///
    /// - Throws: ``PcapFormatError`` for a damaged record or block; the walk stops there.
    public mutating func nextFrame() throws(PcapFormatError) -> CapturedFrame? {
        guard !finished else { return nil }
        do {
            let frame: CapturedFrame?
            switch format {
            case .classic(let bigEndian, let nanosecond):
                frame = try nextClassicFrame(bigEndian: bigEndian, nanosecond: nanosecond)
            case .nextGeneration:
                frame = try nextBlockFrame()
            }
            if frame == nil { finished = true }
            return frame
        } catch {
            finished = true
            throw error
        }
    }

    /// Reads every frame of `bytes`, stopping at the first structural error, which is returned alongside
    /// the frames read before it.
    public static func readFrames(_ bytes: [UInt8]) -> (frames: [CapturedFrame], error: PcapFormatError?) {
        var frames: [CapturedFrame] = []
        do {
            var file = try PcapFile(bytes: bytes)
            while let frame = try file.nextFrame() {
                frames.append(frame)
            }
            return (frames, nil)
        } catch {
            return (frames, error)
        }
    }

    private mutating func nextClassicFrame(bigEndian: Bool, nanosecond: Bool) throws(PcapFormatError) -> CapturedFrame?
    {
        let all = bytes[...]
        guard offset < bytes.count else { return nil }
        guard let seconds = all.getUInt32(at: offset, bigEndian: bigEndian),
            let fraction = all.getUInt32(at: offset + 4, bigEndian: bigEndian),
            let capturedLength = all.getUInt32(at: offset + 8, bigEndian: bigEndian),
            let originalLength = all.getUInt32(at: offset + 12, bigEndian: bigEndian)
        else {
            throw PcapFormatError(offset: offset, reason: .truncatedRecordHeader)
        }
        let dataStart = offset + Self.classicRecordHeaderLength
        guard let data = all.getSlice(at: dataStart, length: Int(capturedLength)) else {
            throw PcapFormatError(offset: offset, reason: .truncatedRecordData(capturedLength: capturedLength))
        }
        // Cannot overflow: (2^32 - 1) * 10^9 + (2^32 - 1) * 1000 < 2^64.
        let nanoseconds = UInt64(seconds) * 1_000_000_000 + UInt64(fraction) * (nanosecond ? 1 : 1000)
        offset = dataStart + Int(capturedLength)
        return CapturedFrame(
            timestampNanoseconds: nanoseconds, linkType: classicLinkType, bytes: data,
            originalLength: Int(originalLength))
    }
}
