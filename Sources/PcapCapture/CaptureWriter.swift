// Writing capture files with libpcap's dumper: classic pcap with the nanosecond magic, so simulated
// instants keep their full resolution (TOOLCHAIN.md: pcap_open_dead_with_tstamp_precision + pcap_dump).

import CPcap
import PcapDecode

/// Writes frames to a classic pcap file (nanosecond timestamps) through libpcap.
///
/// A class because it owns libpcap's handles; `close()` flushes, and `deinit` closes if the caller did not.
public final class CaptureWriter {
    /// The link type every frame is written with.
    public let linkType: LinkType
    /// Frames written so far.
    public private(set) var framesWritten = 0
    /// The largest frame kept whole; longer frames are cut, with their original length recorded.
    public let snapLength: Int
    private let dead: OpaquePointer
    private var dumper: OpaquePointer?

    /// Creates (or truncates) `path`.
    ///
    /// - Throws: ``CaptureError`` when the file cannot be created.
    public init(path: String, linkType: LinkType, snapLength: Int = 262_144) throws(CaptureError) {
        precondition(snapLength > 0 && snapLength <= Int(Int32.max), "a positive snap length")
        // libpcap takes DLT values and writes the LINKTYPE value to the file; they differ for raw IP.
        let dlt = linkType == .raw ? Int32(DLT_RAW) : Int32(linkType.rawValue)
        guard
            let dead = pcap_open_dead_with_tstamp_precision(dlt, Int32(snapLength), UInt32(PCAP_TSTAMP_PRECISION_NANO))
        else {
            throw CaptureError(path: path, message: "pcap_open_dead failed", framesRead: 0)
        }
        guard let dumper = pcap_dump_open(dead, path) else {
            let message = String(cString: pcap_geterr(dead))
            pcap_close(dead)
            throw CaptureError(path: path, message: message, framesRead: 0)
        }
        self.dead = dead
        self.dumper = dumper
        self.linkType = linkType
        self.snapLength = snapLength
    }

    deinit {
        close()
        pcap_close(dead)
    }

    /// Appends one frame with its capture time in nanoseconds since the Unix epoch.
    public func write(_ bytes: some Collection<UInt8>, timestampNanoseconds: UInt64) {
        guard let dumper else { preconditionFailure("write after close") }
        let captured = min(bytes.count, snapLength)
        var header = pcap_pkthdr()
        header.ts.tv_sec = Int(timestampNanoseconds / 1_000_000_000)
        header.ts.tv_usec = Int(timestampNanoseconds % 1_000_000_000)
        header.caplen = UInt32(captured)
        header.len = UInt32(clamping: bytes.count)
        let user = UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self)
        let written: Void? = bytes.withContiguousStorageIfAvailable { storage in
            pcap_dump(user, &header, storage.baseAddress)
        }
        if written == nil {
            let copy = Array(bytes.prefix(captured))
            copy.withUnsafeBufferPointer { pcap_dump(user, &header, $0.baseAddress) }
        }
        framesWritten += 1
    }

    /// Flushes and closes the file; later writes are a bug.
    public func close() {
        guard let dumper else { return }
        pcap_dump_close(dumper)
        self.dumper = nil
    }
}
