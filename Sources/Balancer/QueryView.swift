import DNSWire
import Determinism

/// How a query reached the balancer (dnsdist's `binds[].protocol`, plus plain TCP).
public enum FrontendProtocol: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case do53UDP, do53TCP, dot, doh

    /// Everything but plain UDP runs over a connection (dnsdist's `TCPRule(true)` matches them).
    public var isConnectionBased: Bool { self != .do53UDP }

    public var description: String {
        switch self {
        case .do53UDP: "Do53/UDP"
        case .do53TCP: "Do53/TCP"
        case .dot: "DoT"
        case .doh: "DoH"
        }
    }
}

/// What rules, dynamic blocks and the packet cache see of one query. The balancer parses the
/// question once on arrival (dnsdist's `DNSQuestion`); nothing here is recomputed per rule.
public struct QueryView: Sendable {
    public var client: IPAddress
    public var clientPort: UInt16
    public var transport: FrontendProtocol
    public var id: UInt16
    public var qname: DNSName
    public var qtype: RRType
    public var qclass: DNSClass
    public var opcode: Opcode
    public var flags: HeaderFlags
    /// EDNS DO bit (`DNSSECRule`).
    public var dnssecOK: Bool
    /// Whether the query carries an OPT record, and its advertised UDP payload size.
    public var ednsPayloadSize: UInt16?
    /// Length of the query on the wire, in octets.
    public var size: Int
    /// When the query arrived, on the balancer's clock.
    public var arrival: Instant

    public init(
        client: IPAddress, clientPort: UInt16, transport: FrontendProtocol, id: UInt16, qname: DNSName,
        qtype: RRType, qclass: DNSClass = .in, opcode: Opcode = .query, flags: HeaderFlags = [],
        dnssecOK: Bool = false, ednsPayloadSize: UInt16? = nil, size: Int, arrival: Instant
    ) {
        self.client = client
        self.clientPort = clientPort
        self.transport = transport
        self.id = id
        self.qname = qname
        self.qtype = qtype
        self.qclass = qclass
        self.opcode = opcode
        self.flags = flags
        self.dnssecOK = dnssecOK
        self.ednsPayloadSize = ednsPayloadSize
        self.size = size
        self.arrival = arrival
    }
}

/// What response rules and the ring buffers see of one answer going back to a client.
public struct ResponseView: Sendable {
    public var query: QueryView
    public var rcode: RCode
    /// Length of the response on the wire, in octets.
    public var size: Int
    /// When the answer left the balancer.
    public var sent: Instant
    /// True when the answer came from the packet cache (dnsdist ≥ 1.8 records cache hits in the
    /// response ring too).
    public var fromCache: Bool
    /// True when the balancer answered itself (a rule's RCode/Spoof/TC, or a dynamic block).
    public var selfAnswered: Bool
    /// Index of the backend that answered, when one did.
    public var backend: Int?

    public init(
        query: QueryView, rcode: RCode, size: Int, sent: Instant, fromCache: Bool = false,
        selfAnswered: Bool = false, backend: Int? = nil
    ) {
        self.query = query
        self.rcode = rcode
        self.size = size
        self.sent = sent
        self.fromCache = fromCache
        self.selfAnswered = selfAnswered
        self.backend = backend
    }

    /// Latency seen by the client, from arrival to answer.
    public var latency: SimDuration { sent - query.arrival }
}
