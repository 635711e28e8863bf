// DNS over TCP: sequence ordering, length-prefix framing, holes, retransmissions and stream lifecycle.

import PcapDecode
import Testing

@Suite("TCP reassembly")
struct TCPReassemblyTests {
    static let first = Build.prefixed(Build.query(id: 0x0001))
    static let second = Build.prefixed(Build.query(id: 0x0002))
    static let third = Build.prefixed(Build.query(id: 0x0003))

    static func syn(_ sequence: UInt32 = 99, port: UInt16 = 40000) -> [UInt8] {
        Build.tcpFrame([], sequence: sequence, flags: Build.syn, clientPort: port)
    }

    @Test("A message split over three segments is emitted once, with the last segment's frame")
    func splitMessage() throws {
        let bytes = Self.first
        let frames = [
            Self.syn(), Build.tcpFrame(Array(bytes[0..<1]), sequence: 100),
            Build.tcpFrame(Array(bytes[1..<10]), sequence: 101), Build.tcpFrame(Array(bytes[10...]), sequence: 110),
        ]
        let result = extract(frames)
        try #require(result.messages.count == 1)
        #expect(result.messages[0].wire == Array(bytes.dropFirst(2)))
        #expect(result.messages[0].transport == .tcp)
        #expect(result.messages[0].frameNumber == 4)
        #expect(result.statistics.tcpMessages == 1)
    }

    @Test("Two messages in one segment, and a third straddling into the next")
    func severalPerSegment() {
        let stream = Self.first + Self.second + Self.third
        let cut = Self.first.count + Self.second.count + 8
        let frames = [
            Build.tcpFrame(Array(stream.prefix(cut)), sequence: 100),
            Build.tcpFrame(Array(stream.dropFirst(cut)), sequence: 100 + UInt32(cut)),
        ]
        let result = extract(frames)
        #expect(ids(result.messages) == [1, 2, 3])
        #expect(result.messages.map(\.frameNumber) == [1, 1, 2])
    }

    @Test("Fed one byte at a time")
    func byteByByte() {
        let stream = Self.first + Self.second
        let frames = [Self.syn()] + stream.indices.map { Build.tcpFrame([stream[$0]], sequence: 100 + UInt32($0)) }
        #expect(ids(extract(frames).messages) == [1, 2])
    }

    @Test("A retransmitted segment is dropped and counted")
    func retransmission() {
        let frames = [
            Self.syn(), Build.tcpFrame(Self.first, sequence: 100), Build.tcpFrame(Self.first, sequence: 100),
            Build.tcpFrame(Self.second, sequence: 100 + UInt32(Self.first.count)),
        ]
        let result = extract(frames)
        #expect(ids(result.messages) == [1, 2])
        #expect(result.statistics.skipped[.tcpRetransmission] == 1)
    }

    @Test("Out-of-order segments are put back in order; the filling frame completes the messages")
    func outOfOrder() {
        let stream = Self.first + Self.second
        let frames = [
            Self.syn(), Build.tcpFrame(Array(stream[0..<10]), sequence: 100),
            Build.tcpFrame(Array(stream[20...]), sequence: 120), Build.tcpFrame(Array(stream[10..<20]), sequence: 110),
        ]
        let result = extract(frames)
        #expect(ids(result.messages) == [1, 2])
        #expect(result.messages.map(\.frameNumber) == [4, 4])
        #expect(result.statistics.anomalies[.tcpOutOfOrder] == 1)
    }

    @Test("An overlapping retransmission is trimmed, not dropped")
    func overlap() {
        let stream = Self.first + Self.second
        let frames = [
            Self.syn(), Build.tcpFrame(Array(stream[0..<20]), sequence: 100),
            Build.tcpFrame(Array(stream[10...]), sequence: 110),
        ]
        let result = extract(frames)
        #expect(ids(result.messages) == [1, 2])
        #expect(result.statistics.anomalies[.tcpOverlapTrimmed] == 1)
    }

    @Test("A stream without SYN starts at its first segment")
    func noSYN() {
        let stream = Self.first + Self.second
        let frames = [
            Build.tcpFrame(Array(stream.prefix(10)), sequence: 5000),
            Build.tcpFrame(Array(stream.dropFirst(10)), sequence: 5010),
        ]
        #expect(ids(extract(frames).messages) == [1, 2])
    }

    @Test("A hole inside a message loses it; framing resumes after it, with the frame that carried the data")
    func holeInsideMessage() {
        let stream = Self.first + Self.second + Self.third
        let secondStart = Self.first.count
        let frames = [
            Self.syn(), Build.tcpFrame(Array(stream[0..<(secondStart + 6)]), sequence: 100),
            Build.tcpFrame(Array(stream[(secondStart + 10)...]), sequence: 100 + UInt32(secondStart + 10)),
        ]
        let result = extract(frames)
        #expect(ids(result.messages) == [1, 3])
        #expect(result.messages.map(\.frameNumber) == [2, 3])
        #expect(result.statistics.skipped[.tcpGap] == 1)
    }

    @Test("A hole that hides a length prefix restarts framing at the next segment")
    func holeHidingPrefix() {
        let frames = [
            Self.syn(), Build.tcpFrame(Self.first, sequence: 100),
            Build.tcpFrame(Self.third, sequence: 100 + UInt32(Self.first.count + Self.second.count)),
        ]
        let result = extract(frames)
        #expect(ids(result.messages) == [1, 3])
        #expect(result.statistics.skipped[.tcpGap] == 1)
    }

    @Test("Holes are given up when the out-of-order buffer is full")
    func bufferBound() {
        var configuration = DNSExtractor.Configuration()
        configuration.maximumOutOfOrderSegments = 1
        let base = 100 + UInt32(Self.first.count)
        let frames = [
            Self.syn(), Build.tcpFrame(Self.second, sequence: base + 50),
            Build.tcpFrame(Self.third, sequence: base + 50 + UInt32(Self.second.count)),
        ]
        let result = extract(frames, configuration: configuration)
        #expect(ids(result.messages) == [2, 3])
        #expect(result.messages.map(\.frameNumber) == [2, 3])
        #expect(result.statistics.skipped[.tcpGap] == 1)
    }

    @Test("Junk after the last message and unfinished messages are counted as trailing bytes")
    func trailingBytes() {
        let frames = [
            Self.syn(), Build.tcpFrame(Self.first + [0], sequence: 100),
            Self.syn(port: 40001),
            Build.tcpFrame(Self.first + Array(Self.second.prefix(5)), sequence: 100, clientPort: 40001),
        ]
        let result = extract(frames)
        #expect(ids(result.messages) == [1, 1])
        #expect(result.statistics.skipped[.tcpTrailingBytes] == 2)
    }

    @Test("Zero- and three-byte messages are too short, a four-byte one is a candidate")
    func shortMessages() {
        let frames = [
            Build.tcpFrame(
                [0, 0] + Build.prefixed([1, 2, 3]) + Build.prefixed([1, 2, 3, 4]) + Self.first, sequence: 7)
        ]
        let result = extract(frames)
        #expect(result.messages.map(\.wire.count) == [4, Self.first.count - 2])
        #expect(result.statistics.skipped[.dnsTooShort] == 2)
    }

    @Test("FIN closes the stream: a later retransmission is dropped, new data starts a new stream")
    func finAndReuse() {
        let frames = [
            Self.syn(), Build.tcpFrame(Self.first, sequence: 100, flags: Build.fin | Build.ack),
            Build.tcpFrame(Self.first, sequence: 100, flags: Build.fin | Build.ack),
            Build.tcpFrame(Self.second, sequence: 2_000_000_000),
            Self.syn(7), Build.tcpFrame(Self.third, sequence: 8),
        ]
        let result = extract(frames)
        #expect(ids(result.messages) == [1, 2, 3])
        #expect(result.statistics.skipped[.tcpRetransmission] == 1)
    }

    @Test("RST ends a stream mid-message")
    func reset() {
        let frames = [
            Self.syn(), Build.tcpFrame(Array(Self.first.prefix(10)), sequence: 100, flags: Build.rst | Build.ack),
        ]
        #expect(extract(frames).statistics.skipped[.tcpTrailingBytes] == 1)
    }

    @Test("Sequence numbers wrap around 2^32")
    func wraparound() {
        let stream = Self.first + Self.second
        let start: UInt32 = 0xFFFF_FFF0
        let frames = [
            Self.syn(start &- 1), Build.tcpFrame(Array(stream.prefix(30)), sequence: start),
            Build.tcpFrame(Array(stream.dropFirst(30)), sequence: start &+ 30),
        ]
        #expect(ids(extract(frames).messages) == [1, 2])
    }

    @Test("The two directions of a connection are separate streams")
    func directions() throws {
        let frames = [
            Build.tcpFrame(Self.first, sequence: 100),
            Build.tcpFrame(Self.second + Self.third, sequence: 900, response: true),
        ]
        let result = extract(frames)
        #expect(ids(result.messages) == [1, 2, 3])
        let response = try #require(result.messages.last)
        #expect(response.source.port == 53)
        #expect(response.destination.port == 40000)
    }

    @Test("A snap-truncated segment yields its cut message, marked, and the stream stays in step")
    func snapTruncatedSegment() throws {
        let whole = Build.tcpFrame(Self.first + Self.second, sequence: 100)
        let frames = [
            CapturedFrame(timestampNanoseconds: 0, linkType: .ethernet, bytes: Self.syn()),
            CapturedFrame(
                timestampNanoseconds: 1, linkType: .ethernet, bytes: Array(whole.prefix(14 + 40 + 12)),
                originalLength: whole.count),
            CapturedFrame(
                timestampNanoseconds: 2, linkType: .ethernet,
                bytes: Build.tcpFrame(Self.third, sequence: 100 + UInt32(Self.first.count + Self.second.count))),
        ]
        let result = DNSExtractor.extract(from: frames)
        try #require(result.messages.count == 2)
        #expect(result.messages[0].isSnapTruncated)
        #expect(result.messages[0].wire == Array(Self.first[2..<12]))
        #expect(ids(result.messages) == [1, 3])
        #expect(result.statistics.anomalies[.snapTruncatedMessage] == 1)
    }

    @Test("The stream table is bounded: the least recently active stream is flushed and evicted")
    func streamBound() {
        var configuration = DNSExtractor.Configuration()
        configuration.maximumTCPStreams = 2
        let frames = [
            Build.tcpFrame(Array(Self.first.prefix(5)), sequence: 1, clientPort: 1),
            Build.tcpFrame(Self.first, sequence: 1, clientPort: 2),
            Build.tcpFrame(Self.first, sequence: 1, clientPort: 3),
            Build.tcpFrame(Self.first, sequence: 100, clientPort: 1),
        ]
        let result = extract(frames, configuration: configuration)
        #expect(result.statistics.anomalies[.tcpStreamEvicted] == 2)
        #expect(result.statistics.skipped[.tcpTrailingBytes] == 1)
        #expect(result.messages.count == 3)
    }
}
