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
///
/// The qname's octets are not copied out of the query: the view keeps the query's bytes and
/// where the name lies in them (or, when built from a `DNSName`, that name's wire). Hot paths
/// read them through `withQNameWire`; `qname` builds a `DNSName` for the others.
public struct QueryView: Sendable {
    public var client: IPAddress
    public var clientPort: UInt16
    public var transport: FrontendProtocol
    public var id: UInt16
    /// Octets holding the qname's uncompressed wire form at `qnameStart`, `qnameWireLength` long.
    private var qnameStorage: [UInt8]
    private var qnameStart: Int
    /// Length of the qname in (uncompressed) wire form.
    public private(set) var qnameWireLength: Int
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
        self.qnameStorage = qname.wire
        self.qnameStart = 0
        self.qnameWireLength = qname.wireCount
        self.qtype = qtype
        self.qclass = qclass
        self.opcode = opcode
        self.flags = flags
        self.dnssecOK = dnssecOK
        self.ednsPayloadSize = ednsPayloadSize
        self.size = size
        self.arrival = arrival
    }

    /// A view whose qname is `storage[start..<start + length]`, octets already validated as an
    /// uncompressed name (the query's own bytes, as `ParsedQuery` found them).
    init(
        client: IPAddress, clientPort: UInt16, transport: FrontendProtocol, parsed: ParsedQuery, size: Int,
        arrival: Instant
    ) {
        self.client = client
        self.clientPort = clientPort
        self.transport = transport
        self.id = parsed.id
        self.qnameStorage = parsed.qnameStorage
        self.qnameStart = parsed.qnameStart
        self.qnameWireLength = parsed.qnameWireLength
        self.qtype = parsed.qtype
        self.qclass = parsed.qclass
        self.opcode = parsed.opcode
        self.flags = parsed.flags
        self.dnssecOK = parsed.dnssecOK
        self.ednsPayloadSize = parsed.ednsPayloadSize
        self.size = size
        self.arrival = arrival
    }

    /// A view of no query, for free slots: its qname storage is empty (nothing to retain).
    static var placeholder: QueryView {
        QueryView(
            client: .v4(IPv4Address(0)), clientPort: 0, transport: .do53UDP, id: 0, qnameStorage: [], qnameStart: 0,
            qnameWireLength: 0, qtype: RRType(0), qclass: .in, opcode: .query, flags: [], dnssecOK: false,
            ednsPayloadSize: nil, size: 0, arrival: .zero)
    }

    private init(
        client: IPAddress, clientPort: UInt16, transport: FrontendProtocol, id: UInt16, qnameStorage: [UInt8],
        qnameStart: Int, qnameWireLength: Int, qtype: RRType, qclass: DNSClass, opcode: Opcode, flags: HeaderFlags,
        dnssecOK: Bool, ednsPayloadSize: UInt16?, size: Int, arrival: Instant
    ) {
        self.client = client
        self.clientPort = clientPort
        self.transport = transport
        self.id = id
        self.qnameStorage = qnameStorage
        self.qnameStart = qnameStart
        self.qnameWireLength = qnameWireLength
        self.qtype = qtype
        self.qclass = qclass
        self.opcode = opcode
        self.flags = flags
        self.dnssecOK = dnssecOK
        self.ednsPayloadSize = ednsPayloadSize
        self.size = size
        self.arrival = arrival
    }

    /// The query name (case as received), copied out of the storage (inline when short).
    public var qname: DNSName {
        get {
            withQNameWire { DNSName(uncheckedWire: $0) }
        }
        set {
            qnameStorage = newValue.wire
            qnameStart = 0
            qnameWireLength = qnameStorage.count
        }
    }

    /// Calls `body` with the qname's wire octets, where they lie.
    @inline(__always)
    func withQNameWire<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        qnameStorage.withUnsafeBufferPointer { storage in
            body(UnsafeBufferPointer(rebasing: storage[qnameStart..<qnameStart + qnameWireLength]))
        }
    }

    /// `DNSName.foldedDigest` of the qname.
    var qnameFoldedDigest: UInt64 {
        withQNameWire { DNSName.foldedDigest(ofWire: UnsafeRawBufferPointer($0)) }
    }

    /// The qname's label count, not counting the root label.
    var qnameLabelCount: Int {
        withQNameWire(DNSName.labelCount(ofWire:))
    }

    /// True when the qname equals `name` (case-insensitively).
    func qnameEquals(_ name: DNSName) -> Bool {
        name.withWireBytes { other in withQNameWire { DNSName.equalWires($0, other) } }
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
