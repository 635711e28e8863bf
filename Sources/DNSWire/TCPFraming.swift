/// DNS over TCP framing (RFC 1035 §4.2.2, RFC 7766 §8): each message is preceded by its length as
/// two octets in network order.
public enum TCPFraming {
    /// Prefixes `message` with its length.
    public static func frame(_ message: [UInt8]) -> [UInt8] {
        precondition(message.count <= dnsMaxMessageLength, "a framed message is at most 65,535 octets")
        var framed: [UInt8] = [UInt8(message.count >> 8), UInt8(message.count & 0xFF)]
        framed.append(contentsOf: message)
        return framed
    }
}

/// Reassembles length-prefixed messages from a TCP byte stream fed in arbitrary pieces.
///
/// Feeding the stream byte by byte, in one piece, or in any split yields the same messages in the
/// same order. The buffer is bounded: at most one message plus its prefix is held.
public struct TCPFrameDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0

    public init() {}

    /// Octets received but not yet returned as a message.
    public var pendingByteCount: Int { buffer.count - start }

    /// Appends received octets.
    public mutating func feed(_ bytes: some Collection<UInt8>) {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete message, or nil until more octets arrive.
    public mutating func nextMessage() -> [UInt8]? {
        guard buffer.count - start >= 2 else { return nil }
        let length = Int(buffer[start]) << 8 | Int(buffer[start + 1])
        guard buffer.count - start - 2 >= length else { return nil }
        let message = Array(buffer[(start + 2)..<(start + 2 + length)])
        start += 2 + length
        if start > 4096 {
            buffer.removeFirst(start)
            start = 0
        }
        return message
    }
}
