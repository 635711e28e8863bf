import DNSWire
import Determinism

/// How a node is attached and how much it can do: fixed at set-up.
public struct NodeConfig: Sendable {
    public var name: String
    public var site: SiteID
    /// Bit i set: the node is on network i.
    public var networks: UInt64
    /// The node's addresses; clients of a population are its address indices.
    public var addresses: [IPAddress]
    /// 0 cores: unlimited capacity (client populations). Otherwise inputs queue for a core.
    public var cores: Int
    public var serviceTime: SimDuration
    public var queueLimit: Int
    /// TCP: most open connections in total and per client address, and the idle timeout.
    public var maxConnections: Int
    public var maxConnectionsPerClient: Int
    public var idleTimeout: SimDuration
    /// When the node starts; nil is the start of the run. Until then it is down (a node that joins
    /// a running cluster, such as a new secondary).
    public var startsAt: Instant?

    public init(
        name: String, site: SiteID, networks: UInt64, addresses: [IPAddress], cores: Int = 0,
        serviceTime: SimDuration = .zero, queueLimit: Int = 0, maxConnections: Int = 10_000,
        maxConnectionsPerClient: Int = 100, idleTimeout: SimDuration = .seconds(10), startsAt: Instant? = nil
    ) {
        precondition(!addresses.isEmpty, "a node needs an address")
        self.name = name
        self.site = site
        self.networks = networks
        self.addresses = addresses
        self.cores = cores
        self.serviceTime = serviceTime
        self.queueLimit = queueLimit
        self.maxConnections = maxConnections
        self.maxConnectionsPerClient = maxConnectionsPerClient
        self.idleTimeout = idleTimeout
        self.startsAt = startsAt
    }
}

/// Counters per node, read by reports.
public struct NodeCounters: Sendable, Equatable {
    public var received: UInt64 = 0
    public var processed: UInt64 = 0
    public var sent: UInt64 = 0
    public var dropped: [DropReason: UInt64] = [:]
    public var queuedPeak: Int = 0
    public var busyNanoseconds: UInt64 = 0

    public init() {}

    public var droppedTotal: UInt64 { dropped.values.reduce(0, +) }
}

/// The host-side state of one node: liveness, clock, capacity queue.
struct NodeRuntime {
    var config: NodeConfig
    var up = true
    var hungUntil: UInt64 = 0
    var hangDepth = 0
    var slowFactor: Int64 = 1
    var skew: Int64 = 0
    var incarnation: UInt32 = 0
    /// Instants at which each core becomes free.
    var coreFree: [UInt64]
    /// Inputs waiting for a core, oldest first (a ring: `queueHead` is the next to start).
    var queue: [NodeInput] = []
    var queueHead = 0
    var coreFreeScheduled = false
    var openConnections = 0
    var connectionsPerClient: [UInt32: Int] = [:]
    var counters = NodeCounters()

    init(config: NodeConfig) {
        self.config = config
        coreFree = [UInt64](repeating: 0, count: config.cores)
    }

    var queuedCount: Int { queue.count - queueHead }

    /// The node's own clock reading at true instant `now`.
    func localTime(_ now: UInt64) -> Instant {
        Instant(nanoseconds: skew >= 0 ? now &+ UInt64(skew) : now - min(now, UInt64(-skew)))
    }

    /// The true instant at which the node's clock shows `local`.
    func trueTime(_ local: Instant) -> UInt64 {
        skew >= 0 ? local.nanoseconds - min(local.nanoseconds, UInt64(skew)) : local.nanoseconds &+ UInt64(-skew)
    }

    mutating func popQueued() -> NodeInput? {
        guard queueHead < queue.count else { return nil }
        let input = queue[queueHead]
        queueHead += 1
        if queueHead > 1024 && queueHead * 2 > queue.count {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
        return input
    }

    mutating func clearQueue() {
        queue.removeAll(keepingCapacity: true)
        queueHead = 0
    }

    /// Index of the earliest free core.
    var earliestCore: Int {
        var best = 0
        for index in coreFree.indices where coreFree[index] < coreFree[best] { best = index }
        return best
    }
}
