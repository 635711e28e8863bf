// PcapFile: classic pcap in both byte orders and resolutions, pcapng blocks, and damaged files.

import PcapDecode
import Testing

@Suite("PcapFile reader")
struct PcapFileTests {
    static let frames = [Build.udpQueryFrame(id: 1), Build.udpQueryFrame(id: 2)]

    @Test("Classic pcap in both byte orders and resolutions", arguments: [false, true], [false, true])
    func classic(bigEndian: Bool, nanosecond: Bool) throws {
        let bytes = Build.pcap(Self.frames, linkType: 1, bigEndian: bigEndian, nanosecond: nanosecond)
        let file = try PcapFile(bytes: bytes)
        #expect(file.format == .classic(bigEndian: bigEndian, nanosecond: nanosecond))
        let read = PcapFile.readFrames(bytes)
        #expect(read.error == nil)
        try #require(read.frames.count == 2)
        #expect(read.frames[1].linkType == .ethernet)
        #expect(Array(read.frames[1].bytes) == Self.frames[1])
        #expect(read.frames[1].timestampNanoseconds == 1_700_000_001_000_000_000 + (nanosecond ? 1 : 1_000))
        #expect(!read.frames[0].isSnapTruncated)
    }

    @Test("A record cut short ends the walk with its offset; earlier frames survive")
    func truncatedRecord() {
        let bytes = Build.pcap(Self.frames)
        let read = PcapFile.readFrames(Array(bytes.dropLast(5)))
        #expect(read.frames.count == 1)
        let recordOffset = 24 + 16 + Self.frames[0].count
        #expect(
            read.error
                == PcapFormatError(
                    offset: recordOffset, reason: .truncatedRecordData(capturedLength: UInt32(Self.frames[1].count))))
        let headerCut = PcapFile.readFrames(Array(bytes.prefix(recordOffset + 10)))
        #expect(headerCut.error?.reason == .truncatedRecordHeader)
    }

    @Test("No frames after an error")
    func stopsAfterError() throws {
        var file = try PcapFile(bytes: Array(Build.pcap(Self.frames).dropLast(1)))
        #expect(try file.nextFrame() != nil)
        #expect(throws: PcapFormatError.self) { try file.nextFrame() }
        #expect(try file.nextFrame() == nil)
    }

    @Test("Unknown magic, short header, wrong version")
    func badHeaders() {
        #expect(throws: PcapFormatError(offset: 0, reason: .unknownMagic(0x0403_0201))) {
            try PcapFile(bytes: [1, 2, 3, 4, 5, 6, 7, 8])
        }
        #expect(throws: PcapFormatError(offset: 0, reason: .truncatedFileHeader)) { try PcapFile(bytes: [0xD4, 0xC3]) }
        #expect(throws: PcapFormatError(offset: 0, reason: .truncatedFileHeader)) {
            try PcapFile(bytes: Array(Build.pcap([]).prefix(20)))
        }
        var wrongVersion = Build.pcap([])
        wrongVersion[4] = 3
        #expect(throws: PcapFormatError(offset: 0, reason: .unsupportedVersion(major: 3, minor: 4))) {
            try PcapFile(bytes: wrongVersion)
        }
    }

    @Test("The FCS bits above the link type are ignored")
    func linkTypeUpperBits() throws {
        let bytes = Build.pcap(Self.frames, linkType: 0x1400_0001)
        #expect(PcapFile.readFrames(bytes).frames.first?.linkType == .ethernet)
    }

    @Test("Original length larger than captured marks the frame snap-truncated")
    func snapTruncated() {
        var bytes = Build.pcap([Self.frames[0]])
        bytes[24 + 12] &+= 10  // original length
        let frame = PcapFile.readFrames(bytes).frames.first
        #expect(frame?.isSnapTruncated == true)
        #expect(frame?.originalLength == Self.frames[0].count + 10)
    }
}

/// pcapng blocks built in memory.
enum NextGeneration {
    static func block(_ type: UInt32, _ body: [UInt8], bigEndian: Bool) -> [UInt8] {
        let word: (UInt32) -> [UInt8] = { bigEndian ? Build.be32($0) : Build.le32($0) }
        let padded = body + [UInt8](repeating: 0, count: (4 - body.count % 4) % 4)
        let length = UInt32(padded.count + 12)
        return word(type) + word(length) + padded + word(length)
    }

    static func half(_ value: Int, _ bigEndian: Bool) -> [UInt8] {
        bigEndian ? Build.be16(value) : Array(Build.be16(value).reversed())
    }

    static func sectionHeader(bigEndian: Bool) -> [UInt8] {
        let word: (UInt32) -> [UInt8] = { bigEndian ? Build.be32($0) : Build.le32($0) }
        return block(
            0x0A0D_0D0A,
            word(0x1A2B_3C4D) + half(1, bigEndian) + half(0, bigEndian) + [UInt8](repeating: 0xFF, count: 8),
            bigEndian: bigEndian)
    }

    static func interface(linkType: Int, snapLength: UInt32 = 0, options: [(Int, [UInt8])], bigEndian: Bool) -> [UInt8]
    {
        let word: (UInt32) -> [UInt8] = { bigEndian ? Build.be32($0) : Build.le32($0) }
        var body = half(linkType, bigEndian) + half(0, bigEndian) + word(snapLength)
        for (code, value) in options {
            body += half(code, bigEndian) + half(value.count, bigEndian) + value
            body += [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
        }
        return block(1, body + half(0, bigEndian) + half(0, bigEndian), bigEndian: bigEndian)
    }

    static func enhancedPacket(interface: UInt32, timestamp: UInt64, _ data: [UInt8], bigEndian: Bool) -> [UInt8] {
        let word: (UInt32) -> [UInt8] = { bigEndian ? Build.be32($0) : Build.le32($0) }
        let body =
            word(interface) + word(UInt32(timestamp >> 32)) + word(UInt32(truncatingIfNeeded: timestamp))
            + word(UInt32(data.count)) + word(UInt32(data.count)) + data
        return block(6, body, bigEndian: bigEndian)
    }
}

@Suite("PcapFile reader, pcapng")
struct PcapNGTests {
    @Test("EPB, SPB and skipped blocks, in both byte orders", arguments: [false, true])
    func blocks(bigEndian: Bool) throws {
        let frame = Build.udpQueryFrame(id: 7)
        let raw = Build.ipv4(Build.udp(Build.query(id: 8)))
        let word: (UInt32) -> [UInt8] = { bigEndian ? Build.be32($0) : Build.le32($0) }
        let bytes =
            NextGeneration.sectionHeader(bigEndian: bigEndian)
            + NextGeneration.interface(linkType: 1, options: [(9, [9])], bigEndian: bigEndian)
            + NextGeneration.block(0x99, [1, 2, 3], bigEndian: bigEndian)
            + NextGeneration.interface(
                linkType: 101, snapLength: 30,
                options: [(9, [0x83]), (14, bigEndian ? word(0) + word(5) : word(5) + word(0))],
                bigEndian: bigEndian)
            + NextGeneration.enhancedPacket(interface: 0, timestamp: 1_234_567_890_123, frame, bigEndian: bigEndian)
            + NextGeneration.enhancedPacket(interface: 1, timestamp: 12, raw, bigEndian: bigEndian)
            + NextGeneration.block(3, word(UInt32(raw.count)) + raw, bigEndian: bigEndian)
        #expect(try PcapFile(bytes: bytes).format == .nextGeneration)
        let read = PcapFile.readFrames(bytes)
        #expect(read.error == nil)
        try #require(read.frames.count == 3)
        #expect(read.frames[0].timestampNanoseconds == 1_234_567_890_123)
        #expect(Array(read.frames[0].bytes) == frame)
        #expect(read.frames[1].linkType == .raw)
        // 12 units of 2^-3 s is 1.5 s; if_tsoffset adds 5 s.
        #expect(read.frames[1].timestampNanoseconds == 6_500_000_000)
        // The SPB is cut to interface 0's snap length (0 = unlimited) and has no timestamp.
        #expect(read.frames[2].timestampNanoseconds == 0)
        #expect(read.frames[2].bytes.count == raw.count)
    }

    @Test("Damaged blocks are typed errors")
    func damagedBlocks() {
        let header = NextGeneration.sectionHeader(bigEndian: false)
        let packet = NextGeneration.enhancedPacket(interface: 0, timestamp: 0, [1, 2, 3, 4], bigEndian: false)
        let interface = NextGeneration.interface(linkType: 1, options: [], bigEndian: false)
        #expect(PcapFile.readFrames(header + packet).error?.reason == .unknownInterface(0))
        var badTrailer = header + interface + packet
        badTrailer[badTrailer.count - 1] = 9
        #expect(PcapFile.readFrames(badTrailer).error?.reason == .badBlockLength(0x0900_0024))
        #expect(PcapFile.readFrames(header + interface + packet.dropLast(4)).error?.reason == .truncatedBlock)
        var oddLength = header + interface + packet
        oddLength[header.count + interface.count + 4] = 0x21
        #expect(PcapFile.readFrames(oddLength).error?.reason == .badBlockLength(0x21))
        var badOrder = header
        badOrder[8] = 0
        #expect(PcapFile.readFrames(badOrder).error?.reason == .badByteOrderMagic(0x1A2B_3C00))
    }
}
