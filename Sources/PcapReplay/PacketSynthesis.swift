// Raw IP packets (LINKTYPE_RAW) for what crossed the simulated wire, with consistent IPv4/IPv6, UDP and
// TCP headers, so Wireshark and tshark dissect them without complaint.
//
// Theory of operation: the simulator's TCP model has no segments; `PacketSynthesis` invents the ones a
// real stack would have sent. A connection opens with SYN, SYN-ACK, ACK; each application message
// becomes PSH-ACK segments of at most `maximumSegmentSize` bytes (DNS on port 53 gets its RFC 1035
// §4.2.2 length prefix, since the simulation passes bare messages); a close is FIN-ACK each way and an
// ACK. Sequence numbers start from an initial value per connection and side and advance by the bytes sent, so
// tshark's stream reassembly sees a gap-free stream. Checksums (IPv4 header, UDP, TCP) are computed.

/// Builds the packets of a simulated run, connection state included.
public struct PacketSynthesis: Sendable {
    /// A packet and its time.
    public struct Packet: Equatable, Sendable {
        /// Nanoseconds since the Unix epoch.
        public var timestampNanoseconds: UInt64
        /// The IP packet (version 4 or 6), from its first header byte.
        public var bytes: [UInt8]
    }

    /// One end: 4 or 16 address bytes and a port.
    public struct End: Equatable, Sendable {
        public var address: [UInt8]
        public var port: UInt16

        /// Creates an end; the address has 4 or 16 bytes.
        public init(address: [UInt8], port: UInt16) {
            precondition(address.count == 4 || address.count == 16, "an IPv4 or IPv6 address")
            self.address = address
            self.port = port
        }
    }

    struct Stream {
        var clientNext: UInt32
        var serverNext: UInt32
    }

    /// Payload bytes per TCP segment.
    public var maximumSegmentSize = 1_440
    /// TCP ports whose messages get a 2-byte length prefix (DNS over TCP).
    public var lengthPrefixedPorts: [UInt16] = [53]
    private var streams: [UInt64: Stream] = [:]
    /// Connections opened so far: each gets its own initial sequence numbers, so a new connection on a
    /// reused address and port pair is never read as a retransmission of the last one.
    private var connectionsOpened: UInt32 = 0
    private var identification: UInt16 = 0

    /// A builder with no open connection.
    public init() {}

    /// Connections opened and not yet closed.
    public var openConnections: Int { streams.count }

    /// A UDP datagram from `source` to `destination`.
    public mutating func udp(from source: End, to destination: End, payload: [UInt8], at time: UInt64) -> [Packet] {
        precondition(payload.count <= 65_507, "a UDP payload fits in an IP datagram")
        var header = UInt16Words()
        header.append(source.port)
        header.append(destination.port)
        header.append(UInt16(8 + payload.count))
        header.append(0)
        var datagram = header.bytes + payload
        let checksum = transportChecksum(datagram, protocolNumber: 17, source: source, destination: destination)
        // RFC 768: a computed 0 is sent as all ones.
        let sent = checksum == 0 ? 0xFFFF : checksum
        datagram[6] = UInt8(sent >> 8)
        datagram[7] = UInt8(sent & 0xFF)
        return [Packet(timestampNanoseconds: time, bytes: ip(datagram, protocolNumber: 17, from: source, to: destination))]
    }

    /// The three-way handshake of connection `id`.
    public mutating func open(_ id: UInt64, client: End, server: End, at time: UInt64) -> [Packet] {
        connectionsOpened &+= 1
        // Knuth's multiplicative spread of the counter: deterministic, far apart for neighbours.
        let clientInitial = connectionsOpened &* 2_654_435_761
        let serverInitial = clientInitial ^ 0x8000_0000
        let stream = Stream(clientNext: clientInitial &+ 1, serverNext: serverInitial &+ 1)
        streams[id] = stream
        return [
            tcp(from: client, to: server, sequence: clientInitial, ack: 0, flags: .syn, payload: [], at: time),
            tcp(from: server, to: client, sequence: serverInitial, ack: stream.clientNext,
                flags: [.syn, .ack], payload: [], at: time),
            tcp(from: client, to: server, sequence: stream.clientNext, ack: stream.serverNext, flags: .ack, payload: [],
                at: time),
        ]
    }

    /// One application message on connection `id`; empty if the connection was never opened.
    public mutating func data(
        _ id: UInt64, client: End, server: End, toServer: Bool, payload: [UInt8], at time: UInt64
    ) -> [Packet] {
        guard var stream = streams[id] else { return [] }
        var bytes = payload
        if lengthPrefixedPorts.contains(server.port) {
            precondition(payload.count <= 65_535, "a DNS message fits its length prefix")
            bytes = [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
        }
        var packets: [Packet] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + maximumSegmentSize)
            let chunk = Array(bytes[offset..<end])
            if toServer {
                packets.append(tcp(from: client, to: server, sequence: stream.clientNext, ack: stream.serverNext,
                                   flags: [.psh, .ack], payload: chunk, at: time))
                stream.clientNext &+= UInt32(chunk.count)
            } else {
                packets.append(tcp(from: server, to: client, sequence: stream.serverNext, ack: stream.clientNext,
                                   flags: [.psh, .ack], payload: chunk, at: time))
                stream.serverNext &+= UInt32(chunk.count)
            }
            offset = end
        }
        streams[id] = stream
        return packets
    }

    /// The orderly close of connection `id` (FIN-ACK each way, the closer first, then the last ACK).
    public mutating func close(_ id: UInt64, client: End, server: End, byClient: Bool, at time: UInt64) -> [Packet] {
        guard let stream = streams.removeValue(forKey: id) else { return [] }
        let (closer, other) = byClient ? (client, server) : (server, client)
        let closerNext = byClient ? stream.clientNext : stream.serverNext
        let otherNext = byClient ? stream.serverNext : stream.clientNext
        return [
            tcp(from: closer, to: other, sequence: closerNext, ack: otherNext, flags: [.fin, .ack], payload: [], at: time),
            tcp(from: other, to: closer, sequence: otherNext, ack: closerNext &+ 1, flags: [.fin, .ack], payload: [],
                at: time),
            tcp(from: closer, to: other, sequence: closerNext &+ 1, ack: otherNext &+ 1, flags: .ack, payload: [],
                at: time),
        ]
    }

    struct Flags: OptionSet {
        let rawValue: UInt8
        static let fin = Flags(rawValue: 0x01)
        static let syn = Flags(rawValue: 0x02)
        static let psh = Flags(rawValue: 0x08)
        static let ack = Flags(rawValue: 0x10)
    }

    private mutating func tcp(
        from source: End, to destination: End, sequence: UInt32, ack: UInt32, flags: Flags, payload: [UInt8],
        at time: UInt64
    ) -> Packet {
        var header = UInt16Words()
        header.append(source.port)
        header.append(destination.port)
        header.append(UInt16(sequence >> 16))
        header.append(UInt16(sequence & 0xFFFF))
        let acknowledged = flags.contains(.ack) ? ack : 0
        header.append(UInt16(acknowledged >> 16))
        header.append(UInt16(acknowledged & 0xFFFF))
        header.append(UInt16(5) << 12 | UInt16(flags.rawValue))
        header.append(65_535)  // window
        header.append(0)  // checksum, below
        header.append(0)  // urgent pointer
        var segment = header.bytes + payload
        let checksum = transportChecksum(segment, protocolNumber: 6, source: source, destination: destination)
        segment[16] = UInt8(checksum >> 8)
        segment[17] = UInt8(checksum & 0xFF)
        return Packet(timestampNanoseconds: time, bytes: ip(segment, protocolNumber: 6, from: source, to: destination))
    }

    private mutating func ip(_ payload: [UInt8], protocolNumber: UInt8, from source: End, to destination: End) -> [UInt8] {
        precondition(source.address.count == destination.address.count, "both ends in one IP family")
        if source.address.count == 16 {
            var header = UInt16Words()
            header.append(0x6000)
            header.append(0)
            header.append(UInt16(payload.count))
            header.append(UInt16(protocolNumber) << 8 | 64)
            return header.bytes + source.address + destination.address + payload
        }
        identification &+= 1
        var header = UInt16Words()
        header.append(0x4500)
        header.append(UInt16(20 + payload.count))
        header.append(identification)
        header.append(0x4000)  // don't fragment
        header.append(64 << 8 | UInt16(protocolNumber))
        header.append(0)
        var bytes = header.bytes + source.address + destination.address
        let checksum = Self.internetChecksum(bytes[...])
        bytes[10] = UInt8(checksum >> 8)
        bytes[11] = UInt8(checksum & 0xFF)
        return bytes + payload
    }

    /// The UDP/TCP checksum over the pseudo-header (RFC 768, RFC 9293 §3.1, RFC 8200 §8.1) and `segment`.
    private func transportChecksum(_ segment: [UInt8], protocolNumber: UInt8, source: End, destination: End) -> UInt16 {
        var pseudo = source.address + destination.address
        if source.address.count == 16 {
            pseudo += [
                UInt8(segment.count >> 24 & 0xFF), UInt8(segment.count >> 16 & 0xFF), UInt8(segment.count >> 8 & 0xFF),
                UInt8(segment.count & 0xFF), 0, 0, 0, protocolNumber,
            ]
        } else {
            pseudo += [0, protocolNumber, UInt8(segment.count >> 8 & 0xFF), UInt8(segment.count & 0xFF)]
        }
        return Self.internetChecksum((pseudo + segment)[...])
    }

    /// RFC 1071: the ones' complement of the ones' complement sum of 16-bit words.
    static func internetChecksum(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var sum: UInt32 = 0
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            sum &+= UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
        }
        if index < bytes.endIndex { sum &+= UInt32(bytes[index]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }
}

/// Big-endian 16-bit words appended in order.
struct UInt16Words {
    var bytes: [UInt8] = []

    mutating func append(_ word: UInt16) {
        bytes.append(UInt8(word >> 8))
        bytes.append(UInt8(word & 0xFF))
    }
}
