import DNSWire
import HarnessTesting
import Testing

/// Properties over seeded random messages; the seed is in the test name so a failure reproduces.
@Suite struct MessagePropertyTests {
    static let seed: UInt64 = 0xD15_2026

    @Test func decodeOfEncodeIsIdentityAndEncodingIsStable() throws {
        var generator = MessageGenerator(seed: Self.seed)
        for index in 0..<2_000 {
            let message = generator.message()
            let wire = try message.wire()
            let decoded = try Message(wire: wire)
            #expect(decoded == message, "seed \(Self.seed) message \(index)")
            #expect(try decoded.wire() == wire, "seed \(Self.seed) message \(index)")
        }
    }

    /// Every strict prefix of a valid message fails with a typed error, never a trap.
    @Test func everyTruncationIsATypedError() throws {
        var generator = MessageGenerator(seed: Self.seed + 1)
        for _ in 0..<200 {
            let wire = try generator.message().wire()
            for length in 0..<wire.count {
                #expect(throws: DNSDecodeError.self) { try Message(wire: Array(wire[0..<length])) }
            }
        }
    }

    /// Flipping any byte gives either a message or a typed error.
    @Test func corruptedBytesNeverTrap() throws {
        var generator = MessageGenerator(seed: Self.seed + 2)
        for _ in 0..<100 {
            let wire = try generator.message().wire()
            for index in wire.indices {
                var corrupted = wire
                corrupted[index] ^= 0xA5
                if let message = try? Message(wire: corrupted) {
                    #expect(try Message(wire: message.wire()) == message)
                }
            }
        }
    }

    @Test func trailingBytesAreRejected() throws {
        let wire = try Message.query(id: 1, name: DNSName("a.example.")!, type: .a).wire()
        #expect(throws: DNSDecodeError(.trailingBytes, at: wire.count)) { try Message(wire: wire + [0]) }
    }
}

/// TCP length framing (RFC 1035 §4.2.2): the same messages however the stream is cut.
@Suite struct TCPFramingTests {
    func stream(count: Int) throws -> ([[UInt8]], [UInt8]) {
        var generator = MessageGenerator(seed: 42)
        let messages = try (0..<count).map { _ in try generator.message().wire() }
        return (messages, messages.flatMap(TCPFraming.frame))
    }

    func drain(_ decoder: inout TCPFrameDecoder, into output: inout [[UInt8]]) {
        while let message = decoder.nextMessage() { output.append(message) }
    }

    @Test func byteByByteWholeAndPerMessageAgree() throws {
        let (messages, bytes) = try stream(count: 50)
        var whole = TCPFrameDecoder()
        var fromWhole: [[UInt8]] = []
        whole.feed(bytes)
        drain(&whole, into: &fromWhole)

        var single = TCPFrameDecoder()
        var fromBytes: [[UInt8]] = []
        for byte in bytes {
            single.feed([byte])
            drain(&single, into: &fromBytes)
        }

        var perMessage = TCPFrameDecoder()
        var fromMessages: [[UInt8]] = []
        for message in messages {
            perMessage.feed(TCPFraming.frame(message))
            drain(&perMessage, into: &fromMessages)
        }
        #expect(fromWhole == messages)
        #expect(fromBytes == messages)
        #expect(fromMessages == messages)
        #expect(single.pendingByteCount == 0)
    }

    @Test func partialMessageWaits() {
        var decoder = TCPFrameDecoder()
        decoder.feed([0, 5, 1, 2])
        #expect(decoder.nextMessage() == nil)
        decoder.feed([3, 4, 5, 0])
        #expect(decoder.nextMessage() == [1, 2, 3, 4, 5])
        #expect(decoder.nextMessage() == nil)
        #expect(decoder.pendingByteCount == 1)
    }
}
