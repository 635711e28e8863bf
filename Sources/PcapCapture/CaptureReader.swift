// Reading capture files with libpcap: the thin edge between a file on disk and PcapDecode's frame-at-a-time
// decoding.
//
// Theory of operation: `CaptureReader(path:)` opens the file with `pcap_open_offline_with_tstamp_precision`
// (nanosecond timestamps, classic pcap and pcapng alike); `nextFrame()` calls `pcap_next_ex` and copies
// the captured bytes into one reused buffer, so the common case (the previous frame is no longer held)
// allocates nothing per frame. libpcap's link type is a DLT value; the ones we decode have the same
// number as their LINKTYPE (DLT_RAW is 12 on Linux, which PcapDecode reads as `rawLegacy`).
// Nothing here decides anything about DNS: frames go to `DNSExtractor` unchanged.

import CPcap
import PcapDecode

/// A capture file libpcap could not open or read further.
public struct CaptureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// libpcap's message (`pcap_geterr` or the open error buffer).
    public var message: String
    /// Frames read before the error (0 when the file did not open).
    public var framesRead: Int

    /// Creates an error.
    public init(path: String, message: String, framesRead: Int) {
        self.path = path
        self.message = message
        self.framesRead = framesRead
    }

    /// `"PATH: message (after N frames)"`.
    public var description: String {
        framesRead == 0 ? "\(path): \(message)" : "\(path): \(message) (after \(framesRead) frames)"
    }
}

/// Reads the frames of a pcap or pcapng file through libpcap.
///
/// A class because it owns libpcap's handle (closed in `deinit`); use it from one thread.
public final class CaptureReader {
    /// The file's link type as libpcap reports it (`pcap_datalink`).
    public let linkType: LinkType
    /// The file's snapshot length (`pcap_snapshot`).
    public let snapLength: Int
    /// The file read.
    public let path: String
    /// Frames returned so far.
    public private(set) var framesRead = 0
    private let handle: OpaquePointer
    private var buffer: [UInt8] = []
    private var finished = false

    /// Opens `path`.
    ///
    /// - Throws: ``CaptureError`` when libpcap cannot open it (missing, not a capture, unsupported format).
    public init(path: String) throws(CaptureError) {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let handle = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer)
        else {
            throw CaptureError(path: path, message: Self.string(errorBuffer), framesRead: 0)
        }
        self.handle = handle
        self.path = path
        linkType = LinkType(rawValue: UInt32(truncatingIfNeeded: pcap_datalink(handle)))
        snapLength = Int(pcap_snapshot(handle))
        buffer.reserveCapacity(max(snapLength, 2_048))
    }

    deinit {
        pcap_close(handle)
    }

    /// The next frame, or `nil` at the end of the file (and after an error).
    ///
    /// The frame's bytes share a buffer the next call overwrites; a caller that keeps a frame keeps a copy
    /// (copy-on-write does that by itself).
    ///
    /// - Throws: ``CaptureError`` when libpcap stops inside the file (a damaged record, or a pcapng file
    ///   libpcap 1.10 does not read, such as interfaces of different link types or sections of different
    ///   byte orders). Frames returned before stay valid.
    public func nextFrame() throws(CaptureError) -> CapturedFrame? {
        guard !finished else { return nil }
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        let status = pcap_next_ex(handle, &header, &data)
        guard status == 1, let header, let data else {
            finished = true
            if status == PCAP_ERROR_BREAK { return nil }
            throw CaptureError(path: path, message: String(cString: pcap_geterr(handle)), framesRead: framesRead)
        }
        let record = header.pointee
        let captured = Int(record.caplen)
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: UnsafeBufferPointer(start: data, count: captured))
        framesRead += 1
        // With nanosecond precision, tv_usec holds nanoseconds. Times before 1970 are clamped to 0.
        let seconds = UInt64(clamping: Int64(record.ts.tv_sec))
        let nanoseconds = UInt64(clamping: Int64(record.ts.tv_usec))
        return CapturedFrame(
            timestampNanoseconds: seconds &* 1_000_000_000 &+ nanoseconds, linkType: linkType, bytes: buffer[...],
            originalLength: Int(record.len))
    }

    private static func string(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
