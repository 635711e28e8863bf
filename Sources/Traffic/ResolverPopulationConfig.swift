import DNSWire
import Determinism

/// How a population of resolvers behaves (from a scenario's `workload.resolvers`).
public struct ResolverPopulationConfig: Sendable {
    public var name: String
    public var clientCount: Int
    public var serverCount: Int
    public var rate: QueryRate
    /// Query types with cumulative weights in parts per million.
    public var queryTypes: [(RRType, UInt32)]
    public var zipfExponent: Double
    public var nxdomainPartsPerMillion: UInt32
    public var ednsPartsPerMillion: UInt32
    public var ednsSizes: [UInt16]
    public var timeout: SimDuration
    public var retries: Int
    public var tcpFallback: Bool
    /// When the population stops sending (the end of the run); answers may still arrive after.
    public var stopAt: Instant
    /// Names for the NXDOMAIN share: fresh random labels under these names instead of under a
    /// zone apex (a random-subdomain or "water torture" attack on one victim name).
    public var randomSubdomainOf: [DNSName] = []
    /// When not empty, every other query asks one of these names (uniformly) instead of a Zipf draw
    /// over the zone (a reflection attack's few large answers, a heavy client's short list).
    public var fixedNames: [DNSName] = []
    /// The first query goes out at this instant (an attack that starts later).
    public var startAt: Instant = .zero
    /// Share of sends that are random bytes instead of a query (garbage traffic).
    public var malformedPartsPerMillion: UInt32 = 0
    /// How queries travel: datagrams, or a connection per client and server (plain TCP, DoT, DoH).
    public var transport: ClientTransport = .udp
    /// A connection-exhaustion attack: every client holds this many connections open.
    public var hold: ConnectionHold?
    /// Every datagram leaves from this port (an amplification source such as NTP's 123); nil: a
    /// random port per query.
    public var sourcePort: UInt16?

    public init(
        name: String, clientCount: Int, serverCount: Int, rate: QueryRate, queryTypes: [(RRType, UInt32)] = [(.a, 1_000_000)],
        zipfExponent: Double = 1.1, nxdomainPartsPerMillion: UInt32 = 0, ednsPartsPerMillion: UInt32 = 1_000_000,
        ednsSizes: [UInt16] = [1232], timeout: SimDuration = .seconds(2), retries: Int = 2, tcpFallback: Bool = true,
        stopAt: Instant
    ) {
        precondition(clientCount >= 1 && serverCount >= 1, "a population needs clients and servers")
        self.name = name
        self.clientCount = clientCount
        self.serverCount = serverCount
        self.rate = rate
        self.queryTypes = queryTypes
        self.zipfExponent = zipfExponent
        self.nxdomainPartsPerMillion = nxdomainPartsPerMillion
        self.ednsPartsPerMillion = ednsPartsPerMillion
        self.ednsSizes = ednsSizes.isEmpty ? [1232] : ednsSizes
        self.timeout = timeout
        self.retries = retries
        self.tcpFallback = tcpFallback
        self.stopAt = stopAt
    }
}

/// A query rate process: the gap to the next query given the instant.
public struct QueryRate: Sendable {
    public enum Process: Sendable {
        case constant
        case poisson
    }

    public var process: Process
    /// The mean rate (queries per second) at an instant since the start.
    public var perSecond: @Sendable (Instant) -> Double

    public init(process: Process, perSecond: @escaping @Sendable (Instant) -> Double) {
        self.process = process
        self.perSecond = perSecond
    }

    /// Nanoseconds to the next query; nil when the rate is zero (then check again in a second).
    func gap(at now: Instant, random: inout SeededRandom) -> Int64? {
        gap(rate: perSecond(now), random: &random)
    }

    /// Nanoseconds to the next query at `rate` queries per second.
    func gap(rate: Double, random: inout SeededRandom) -> Int64? {
        guard rate > 0 else { return nil }
        let mean = 1e9 / rate
        switch process {
        case .constant: return max(1, Int64(mean.rounded()))
        case .poisson: return max(1, Int64(random.exponential(mean: mean).rounded()))
        }
    }
}

/// How a population's queries travel. Over a connection, each client keeps one connection per
/// server open and pipelines its queries on it, reconnecting when the server closes it (as stubs
/// with DoT or DoH do); the handshake (TCP, plus TLS 1.3 on 853 and 443) delays the first query.
public enum ClientTransport: String, Sendable, CaseIterable {
    case udp, tcp, dot, doh

    /// The server port: 53, 853 (DoT) or 443 (DoH).
    public var port: UInt16 {
        switch self {
        case .udp, .tcp: 53
        case .dot: 853
        case .doh: 443
        }
    }
}

/// Slow or idle connections (slowloris on DNS): each client opens `perClient` connections and
/// keeps them; with `sendEvery` it sends one query on each at that interval (slow), without it
/// nothing (idle). A closed connection is reopened after `reconnectDelay` until the attack stops.
public struct ConnectionHold: Sendable, Equatable {
    public var perClient: Int
    public var sendEvery: SimDuration?
    public var reconnectDelay: SimDuration

    public init(perClient: Int, sendEvery: SimDuration? = nil, reconnectDelay: SimDuration = .milliseconds(250)) {
        self.perClient = perClient
        self.sendEvery = sendEvery
        self.reconnectDelay = reconnectDelay
    }
}
