import DNSWire
import DNSZone
import Determinism

/// An authoritative server's query path: bytes in, bytes out (sans-IO).
///
/// Theory of operation: a query is decoded (a message that does not decode is answered FORMERR when
/// its header can be read, else dropped: RFC 1035 §4.1.1); responses (QR set) are dropped; the zone
/// engine answers; over UDP a response larger than the client's limit (512 octets without EDNS,
/// else the smaller of its EDNS size and ours, RFC 6891 §6.2.5) goes out empty with TC set so the
/// client retries over TCP (RFC 1035 §4.2.1, RFC 7766 §5). Zone transfers are handed out by
/// `reply(to:over:now:)` as a `TransferRequest` for the replication machines (`PrimaryMachine`,
/// `SecondaryMachine`) to answer; `respond(to:over:now:)` refuses them. Responses go through a
/// `PacketCache` (PowerDNS's 20 s packet cache) unless it is disabled; transfers never do.
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

    /// What the query path made of a message.
    public enum Reply: Sendable {
        /// Send these bytes back.
        case response([UInt8])
        /// AXFR or IXFR for a zone we serve: the caller answers it (it is counted as a query only).
        case transfer(TransferRequest)
        /// Send nothing (a response, or bytes without a readable header).
        case none
    }

    /// The response to `bytes` received at `now`, or nil when nothing is to be sent. Transfers are
    /// REFUSED here; use `reply(to:over:now:)` to receive them.
    public mutating func respond(to bytes: [UInt8], over transport: Transport, now: Instant) -> [UInt8]? {
        switch reply(to: bytes, over: transport, now: now) {
        case .response(let response): return response
        case .none: return nil
        case .transfer(let request):
            stats.count(.refused)
            var refused = request.query.makeResponse(rcode: .refused)
            let bytes = encode(&refused, limit: transport == .udp ? Self.udpLimit(for: request.query) : dnsMaxMessageLength)
            if bytes != nil { stats.responses &+= 1 }
            return bytes
        }
    }

    /// The reply to `bytes` received at `now`: a response, a transfer request, or nothing.
    public mutating func reply(to bytes: [UInt8], over transport: Transport, now: Instant) -> Reply {
        stats.queries &+= 1
        let limit = transport == .udp ? Self.udpLimit(raw: bytes) : dnsMaxMessageLength
        let key = cache.isEnabled ? PacketCache.key(for: bytes, limit: limit) : nil
        if let key, let hit = cache.lookup(key, query: bytes, now: now) {
            stats.responses &+= 1
            stats.cacheHits &+= 1
            return .response(hit)
        }
        let reply = replyUncached(to: bytes, over: transport)
        if let key, case .response(let response) = reply { cache.insert(key, query: bytes, response: response, now: now) }
        return reply
    }

    /// The UDP limit from the raw query: the OPT CLASS field when a cacheable OPT is present.
    static func udpLimit(raw bytes: [UInt8]) -> Int {
        guard bytes.count >= 23, bytes[11] == 1, bytes[bytes.count - 9] == 41, bytes[bytes.count - 10] == 0,
            bytes[bytes.count - 11] == 0
        else { return 512 }
        let size = Int(bytes[bytes.count - 8]) << 8 | Int(bytes[bytes.count - 7])
        return max(512, min(size, 1232))
    }

    private mutating func replyUncached(to bytes: [UInt8], over transport: Transport) -> Reply {
        let query: Message
        do {
            query = try Message(wire: bytes)
        } catch {
            stats.malformed &+= 1
            return formErr(for: bytes).map(Reply.response) ?? .none
        }
        guard !query.flags.contains(.qr) else {
            stats.droppedResponses &+= 1
            return .none
        }
        var response: Message
        switch zones.answer(query, options: options) {
        case .response(let message, let outcome):
            response = message
            stats.count(outcome)
        case .transfer(let request):
            return .transfer(request)
        }
        let bytes = encode(&response, limit: transport == .udp ? Self.udpLimit(for: query) : dnsMaxMessageLength)
        if bytes != nil { stats.responses &+= 1 }
        return bytes.map(Reply.response) ?? .none
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
