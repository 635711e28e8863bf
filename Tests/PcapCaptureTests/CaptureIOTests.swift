// The libpcap edge on its own: writing and reading back, damaged files, frames identical to PcapDecode's
// reader.

import Foundation
import PcapCapture
import PcapDecode
import Testing

func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("ddnslab-pcapcapture-\(getpid())-\(name)").path
}

@Suite("libpcap reader and writer")
struct CaptureIOTests {
    @Test func frameBytesAndNanosecondTimesMatchTheBuiltInReader() throws {
        for fixture in ["dnscap-frags.pcap", "derived-frags-nsec.pcap", "derived-dnso1tcp.pcapng", "dnscap-sll2.pcap"] {
            let path = fixtureDirectory.appendingPathComponent(fixture).path
            let reader = try CaptureReader(path: path)
            var ours: [CapturedFrame] = []
            while let frame = try reader.nextFrame() {
                ours.append(CapturedFrame(
                    timestampNanoseconds: frame.timestampNanoseconds, linkType: frame.linkType,
                    bytes: Array(frame.bytes), originalLength: frame.originalLength))
            }
            let builtin = PcapFile.readFrames([UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))).frames
            #expect(ours.count == builtin.count, "\(fixture)")
            for (mine, theirs) in zip(ours, builtin) {
                #expect(Array(mine.bytes) == Array(theirs.bytes))
                #expect(mine.timestampNanoseconds == theirs.timestampNanoseconds)
                #expect(mine.originalLength == theirs.originalLength)
            }
        }
    }

    @Test func writtenFramesReadBackWithNanosecondTimes() throws {
        let path = temporaryPath("roundtrip.pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let frames: [(UInt64, [UInt8])] = [
            (1_700_000_000_123_456_789, [0x45] + [UInt8](repeating: 7, count: 27)),
            (1_700_000_001_000_000_001, [0x60] + [UInt8](repeating: 9, count: 47)),
        ]
        let writer = try CaptureWriter(path: path, linkType: .raw)
        for (time, bytes) in frames { writer.write(bytes, timestampNanoseconds: time) }
        writer.close()
        #expect(writer.framesWritten == 2)
        let reader = try CaptureReader(path: path)
        #expect(reader.linkType == .rawLegacy || reader.linkType == .raw)
        for (time, bytes) in frames {
            let frame = try #require(try reader.nextFrame())
            #expect(frame.timestampNanoseconds == time)
            #expect(Array(frame.bytes) == bytes)
        }
        #expect(try reader.nextFrame() == nil)
    }

    @Test func notACaptureIsAnOpenErrorNotACrash() throws {
        let path = temporaryPath("garbage.pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("this is not a capture file at all".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: CaptureError.self) { try CaptureFrames(path: path) }
        #expect(throws: CaptureError.self) { try CaptureFrames(path: temporaryPath("missing.pcap")) }
    }

    @Test func aFileCutInsideARecordKeepsTheFramesBeforeIt() throws {
        let bytes = [UInt8](try Data(contentsOf: fixtureDirectory.appendingPathComponent("dnscap-dns.pcap")))
        let whole = PcapFile.readFrames(bytes).frames.count
        let path = temporaryPath("cut.pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Cut in the middle of the file: libpcap reports a truncated record, so does the built-in reader.
        try Data(bytes.prefix(bytes.count / 2 + 3)).write(to: URL(fileURLWithPath: path))
        let frames = try CaptureFrames(path: path)
        var count = 0
        while frames.nextFrame() != nil { count += 1 }
        #expect(count > 0 && count < whole)
        guard case .libpcapThenBuiltin(let fromLibpcap, _) = frames.reader else {
            Issue.record("libpcap should have stopped at the cut record")
            return
        }
        #expect(fromLibpcap == count)
        #expect(frames.formatError != nil)
    }

    @Test func everyPrefixOfACaptureIsReadWithoutACrash() throws {
        let bytes = [UInt8](try Data(contentsOf: fixtureDirectory.appendingPathComponent("dnscap-dnsotcp-manyopkts.pcap")))
        let path = temporaryPath("prefix.pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        for length in stride(from: 0, through: bytes.count, by: 7) {
            try Data(bytes.prefix(length)).write(to: URL(fileURLWithPath: path))
            guard let frames = try? CaptureFrames(path: path) else { continue }
            var extractor = DNSExtractor()
            var messages: [CapturedDNSMessage] = []
            while let frame = frames.nextFrame() { extractor.process(frame, into: &messages) }
            extractor.finish(into: &messages)
            #expect(messages.count <= 3)
        }
    }
}
