// All the frames of a capture file: libpcap first, PcapDecode's own reader for the rest of a file that
// libpcap 1.10 stops reading.
//
// libpcap 1.10.3 refuses two things pcapng allows and tshark reads: an interface whose link type differs
// from the first interface's ("an interface has a type N different from the type of the first
// interface"), and a second section with the other byte order. When `pcap_next_ex` fails, the file is
// loaded into memory and PcapDecode's `PcapFile` skips the frames libpcap already delivered and goes on
// from there (both readers return exactly one frame per packet record or packet block, in file order).
// When libpcap cannot open the file at all, `PcapFile` is tried from the start. Which reader delivered
// what is recorded, never silent.

import Foundation
import PcapDecode

/// Streams every frame of a capture file, through libpcap wherever libpcap can read it.
public final class CaptureFrames {
    /// Who read the frames.
    public enum Reader: Equatable, Sendable {
        /// libpcap read the whole file.
        case libpcap
        /// libpcap read the first `framesFromLibpcap` frames and then stopped with `libpcapError`;
        /// PcapDecode's reader read the rest.
        case libpcapThenBuiltin(framesFromLibpcap: Int, libpcapError: String)
    }

    /// The file.
    public let path: String
    /// Frames delivered so far.
    public private(set) var framesRead = 0
    /// Who read the frames (final once `nextFrame` returned nil).
    public private(set) var reader = Reader.libpcap
    /// The structural error that ended PcapDecode's reader early, if it took over and stopped.
    public private(set) var formatError: PcapFormatError?
    private var libpcap: CaptureReader?
    private var builtin: PcapFile?

    /// Opens `path` with libpcap, or with PcapDecode's reader when libpcap cannot open it.
    ///
    /// - Throws: ``CaptureError`` with libpcap's message when neither reader can open the file.
    public init(path: String) throws(CaptureError) {
        self.path = path
        do {
            libpcap = try CaptureReader(path: path)
        } catch {
            builtin = try Self.openBuiltin(path: path, libpcapError: error)
            reader = .libpcapThenBuiltin(framesFromLibpcap: 0, libpcapError: error.message)
        }
    }

    /// The next frame, or `nil` at the end of the file (or where neither reader can go further).
    public func nextFrame() -> CapturedFrame? {
        if let libpcap {
            do {
                if let frame = try libpcap.nextFrame() {
                    framesRead += 1
                    return frame
                }
                self.libpcap = nil
                return nil
            } catch {
                self.libpcap = nil
                switchToBuiltin(after: error)
            }
        }
        guard builtin != nil else { return nil }
        do {
            guard let frame = try builtin?.nextFrame() else {
                builtin = nil
                return nil
            }
            framesRead += 1
            return frame
        } catch {
            formatError = error
            builtin = nil
            return nil
        }
    }

    private func switchToBuiltin(after error: CaptureError) {
        reader = .libpcapThenBuiltin(framesFromLibpcap: framesRead, libpcapError: error.message)
        guard var file = try? Self.openBuiltin(path: path, libpcapError: error) else { return }
        // Skip what libpcap delivered: the same frames, in the same order.
        for _ in 0..<framesRead {
            do {
                guard try file.nextFrame() != nil else { return }
            } catch {
                formatError = error
                return
            }
        }
        builtin = file
    }

    private static func openBuiltin(path: String, libpcapError: CaptureError) throws(CaptureError) -> PcapFile {
        guard let data = FileManager.default.contents(atPath: path) else { throw libpcapError }
        do {
            return try PcapFile(bytes: [UInt8](data))
        } catch {
            throw libpcapError
        }
    }
}

extension CaptureFrames {
    /// Runs every frame of `path` through a ``DNSExtractor`` and returns the messages and counters.
    public static func extractDNS(
        path: String, configuration: DNSExtractor.Configuration = DNSExtractor.Configuration()
    ) throws(CaptureError) -> (messages: [CapturedDNSMessage], statistics: ExtractionStatistics, frames: CaptureFrames) {
        let frames = try CaptureFrames(path: path)
        var extractor = DNSExtractor(configuration: configuration)
        var messages: [CapturedDNSMessage] = []
        while let frame = frames.nextFrame() {
            extractor.process(frame, into: &messages)
        }
        extractor.finish(into: &messages)
        return (messages, extractor.statistics, frames)
    }
}
