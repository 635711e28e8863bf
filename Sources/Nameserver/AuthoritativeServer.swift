import DNSWire
import DNSZone
import Determinism

/// An authoritative server's query path: bytes in, bytes out (sans-IO).
///
/// Theory of operation: a query is decoded (a message that does not decode is answered FORMERR when
/// its header can be read, else dropped: RFC 1035 §4.1.1); responses (QR set) are dropped; the zone
/// engine answers; over UDP a response larger than the client's limit (512 octets without EDNS,
/// else the smaller of its EDNS size and ours, RFC 6891 §6.2.5) goes out empty with TC set so the
/// client retries over TCP (RFC 1035 §4.2.1, RFC 7766 §5). Zone transfers belong to the transfer
/// machines of the replication issue; until then they are refused. Responses go through a
/// `PacketCache` (PowerDNS's 20 s packet cache) unless it is disabled.
public struct AuthoritativeServer: Sendable {
    /// The zones served; replacing them empties the packet cache.
    public var zones: ZoneSet { didSet { cache.clear() } }
    public var options: LookupOptions
    public var cache: PacketCache
    public private(set) var stats = AuthoritativeStats()
    private var writer = WireWriter(capacity: 1232)

    public init(zones: ZoneSet, options: LookupOptions = LookupOptions(), cache: PacketCache = PacketCache()) {
        self.zones = zones
        self.options = options
        self.cache = cache
    }

    public enum Transport: Sendable { case udp, tcp }

    /// The response to `bytes` received at `now`, or nil when nothing is to be sent.
    public mutating func respond(to bytes: [UInt8], over transport: Transport, now: Instant) -> [UInt8]? {
        stats.queries &+= 1
        let limit = transport == .udp ? Self.udpLimit(raw: bytes) : dnsMaxMessageLength
        let key = cache.isEnabled ? PacketCache.key(for: bytes, limit: limit) : nil
        if let key, let hit = cache.lookup(key, query: bytes, now: now) {
            stats.responses &+= 1
            stats.cacheHits &+= 1
            return hit
        }
        guard let response = respondUncached(to: bytes, over: transport) else { return nil }
        if let key { cache.insert(key, query: bytes, response: response, now: now) }
        return response
    }

    /// The UDP limit from the raw query: the OPT CLASS field when a cacheable OPT is present.
    static func udpLimit(raw bytes: [UInt8]) -> Int {
        guard bytes.count >= 23, bytes[11] == 1, bytes[bytes.count - 9] == 41, bytes[bytes.count - 10] == 0,
            bytes[bytes.count - 11] == 0
        else { return 512 }
        let size = Int(bytes[bytes.count - 8]) << 8 | Int(bytes[bytes.count - 7])
        return max(512, min(size, 1232))
    }

    private mutating func respondUncached(to bytes: [UInt8], over transport: Transport) -> [UInt8]? {
        let query: Message
        do {
            query = try Message(wire: bytes)
        } catch {
            stats.malformed &+= 1
            return formErr(for: bytes)
        }
        guard !query.flags.contains(.qr) else {
            stats.droppedResponses &+= 1
            return nil
        }
        var response: Message
        switch zones.answer(query, options: options) {
        case .response(let message, let outcome):
            response = message
            stats.count(outcome)
        case .transfer:
            response = query.makeResponse(rcode: .refused)
            stats.count(.refused)
        }
        let bytes = encode(&response, limit: transport == .udp ? Self.udpLimit(for: query) : dnsMaxMessageLength)
        if bytes != nil { stats.responses &+= 1 }
        return bytes
    }

    /// RFC 6891 §6.2.5: 512 without EDNS, else the client's size capped at ours, never below 512.
    static func udpLimit(for query: Message) -> Int {
        guard let edns = query.edns else { return 512 }
        return max(512, min(Int(edns.udpPayloadSize), 1232))
    }

    private mutating func encode(_ response: inout Message, limit: Int) -> [UInt8]? {
        writer.reset()
        do {
            try response.encode(into: &writer)
            if writer.count <= limit { return writer.bytes }
            stats.truncated &+= 1
            response.flags.insert(.tc)
            response.answers = []
            response.authority = []
            response.additional = []
            writer.reset()
            try response.encode(into: &writer)
            return writer.bytes
        } catch {
            stats.encodeFailures &+= 1
            return nil
        }
    }

    /// FORMERR with the query's ID and opcode when at least the header could be read.
    private mutating func formErr(for bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count >= dnsHeaderLength, bytes[2] & 0x80 == 0 else { return nil }
        let id = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        let opcode = Opcode(rawValue: (bytes[2] >> 3) & 0xF)
        stats.formErr &+= 1
        stats.responses &+= 1
        return try? Message(id: id, flags: .qr, opcode: opcode, rcode: .formErr).wire()
    }
}

/// What an authoritative server answered, by outcome.
public struct AuthoritativeStats: Sendable, Equatable {
    public var queries: UInt64 = 0
    /// Answered from the packet cache.
    public var cacheHits: UInt64 = 0
    /// Responses sent (every outcome below that produced one).
    public var responses: UInt64 = 0
    public var answers: UInt64 = 0
    public var noData: UInt64 = 0
    public var nxDomain: UInt64 = 0
    public var referrals: UInt64 = 0
    public var refused: UInt64 = 0
    public var formErr: UInt64 = 0
    public var notImp: UInt64 = 0
    public var other: UInt64 = 0
    public var malformed: UInt64 = 0
    public var truncated: UInt64 = 0
    public var droppedResponses: UInt64 = 0
    public var encodeFailures: UInt64 = 0

    public init() {}

    mutating func count(_ outcome: LookupOutcome) {
        switch outcome {
        case .answer: answers &+= 1
        case .noData: noData &+= 1
        case .nxDomain: nxDomain &+= 1
        case .referral: referrals &+= 1
        case .refused: refused &+= 1
        case .formErr: formErr &+= 1
        case .notImp: notImp &+= 1
        case .notAuth, .badVers: other &+= 1
        }
    }
}

extension AuthoritativeServer {
    /// Keeps counters across a restart (the host's view of a server's lifetime totals).
    public mutating func carryOver(_ previous: AuthoritativeStats) { stats = previous }
}
