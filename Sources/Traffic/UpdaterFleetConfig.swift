import DNSWire
import Determinism

/// One customer: a router or host with one hostname and the update client that keeps it current.
public struct UpdaterCustomer: Sendable, Equatable {
    /// The name the client updates (sent without the trailing dot).
    public var hostname: DNSName
    /// The update token: the password (ddclient, FRITZ!Box), the Basic user (inadyn), `key=`.
    public var token: String
    /// The login or user name the client is configured with (ddclient's `login=`).
    public var login: String
    /// Index into the fleet's `models`.
    public var model: Int
    /// Index into the fleet's `addressPool`: the customer's IPv4 address at the start.
    public var addressIndex: UInt32
    /// The customer's IPv6 /64 at the start (host bits zero); nil: IPv4 only.
    public var v6Prefix: IPv6Address?
    /// The interface identifier (low 64 bits) of the customer's IPv6 address under its prefix.
    public var v6InterfaceID: UInt64

    public init(hostname: DNSName, token: String, login: String = "none", model: Int, addressIndex: UInt32,
                v6Prefix: IPv6Address? = nil, v6InterfaceID: UInt64 = 1) {
        precondition(v6Prefix.map { $0.low == 0 } ?? true, "an IPv6 /64 prefix has zero host bits")
        self.hostname = hostname
        self.token = token
        self.login = login
        self.model = model
        self.addressIndex = addressIndex
        self.v6Prefix = v6Prefix
        self.v6InterfaceID = v6InterfaceID
    }
}

/// Where new IPv6 /64 prefixes come from: the n-th prefix handed out is the n-th /64 under
/// `base`/`prefixLength`, counting up from `firstSubnet`; past the last /64 the count wraps to 0.
/// Keep it apart from the customers' initial prefixes, or a new prefix may equal one in use.
public struct V6PrefixPool: Sendable, Equatable {
    public var base: IPv6Address
    public var prefixLength: Int
    public var firstSubnet: UInt64

    public init(base: IPv6Address, prefixLength: Int = 40, firstSubnet: UInt64 = 0) {
        precondition((16...63).contains(prefixLength), "a pool of /64s under a /16 to /63")
        self.base = base
        self.prefixLength = prefixLength
        self.firstSubnet = firstSubnet
    }

    /// The `index`-th /64 handed out.
    func prefix(_ index: UInt64) -> IPv6Address {
        let subnets: UInt64 = 1 << UInt64(64 - prefixLength)
        let mask = ~(subnets - 1)
        return IPv6Address(high: base.high & mask | (firstSubnet &+ index) % subnets, low: 0)
    }
}

/// When customers' addresses change: an ISP's forced reconnect, a random re-dial, a new prefix.
public struct IPChangeProcess: Sendable, Equatable {
    public enum Schedule: Sendable, Equatable {
        /// Once a scenario day at `atSecondOfDay` wall-clock time (day boundaries from the fleet's
        /// `epochSeconds`), each customer a fixed uniform offset in [0, spread) later.
        case daily(atSecondOfDay: UInt32, spread: SimDuration)
        /// Exponential gaps with this mean, independently per customer.
        case exponential(meanInterval: SimDuration)
    }

    public enum Scope: Sendable, Equatable {
        /// A new IPv4 address only.
        case v4
        /// A new IPv4 address and, for customers with IPv6, a new /64 (a PPPoE re-dial).
        case v4AndV6Prefix
        /// A new /64 only (prefix rotation), for customers with IPv6.
        case v6Prefix
    }

    public var schedule: Schedule
    public var scope: Scope
    /// The share of customers this process applies to, chosen once from the seed.
    public var sharePartsPerMillion: UInt32
    /// When set, exactly these customers (indexes) instead of a share.
    public var customers: [Int]?

    public init(schedule: Schedule, scope: Scope, sharePartsPerMillion: UInt32 = 1_000_000, customers: [Int]? = nil) {
        self.schedule = schedule
        self.scope = scope
        self.sharePartsPerMillion = sharePartsPerMillion
        self.customers = customers
    }

    /// The ISP's daily forced disconnect (German DSL's "Zwangstrennung"): new IPv4, and a new /64
    /// when `newV6Prefix`.
    public static func dailyReconnect(atSecondOfDay: UInt32, spread: SimDuration, newV6Prefix: Bool = true,
                                      sharePartsPerMillion: UInt32 = 1_000_000) -> IPChangeProcess {
        IPChangeProcess(schedule: .daily(atSecondOfDay: atSecondOfDay, spread: spread),
                        scope: newV6Prefix ? .v4AndV6Prefix : .v4, sharePartsPerMillion: sharePartsPerMillion)
    }

    /// Reconnects at random: exponential gaps per customer.
    public static func random(meanInterval: SimDuration, newV6Prefix: Bool = false,
                              sharePartsPerMillion: UInt32 = 1_000_000) -> IPChangeProcess {
        IPChangeProcess(schedule: .exponential(meanInterval: meanInterval), scope: newV6Prefix ? .v4AndV6Prefix : .v4,
                        sharePartsPerMillion: sharePartsPerMillion)
    }

    /// Only the IPv6 prefix changes, on `schedule`.
    public static func v6PrefixChange(_ schedule: Schedule, sharePartsPerMillion: UInt32 = 1_000_000) -> IPChangeProcess {
        IPChangeProcess(schedule: schedule, scope: .v6Prefix, sharePartsPerMillion: sharePartsPerMillion)
    }
}

/// A fleet of update clients (from a scenario's updater workload).
public struct UpdaterFleetConfig: Sendable, Equatable {
    /// Labels the fleet's random streams (`updaters:<name>`).
    public var name: String
    public var customers: [UpdaterCustomer]
    public var models: [UpdaterModel]
    public var ipChanges: [IPChangeProcess]
    /// The node's IPv4 addresses. Customers start on the indexes they name; an IPv4 change hands
    /// the customer the oldest free address (first the pool's unused ones in index order, then
    /// released ones in the order they were released), so it never takes one in use. With IPv4
    /// changes configured the pool must hold more addresses than there are customers.
    public var addressPool: [IPv4Address]
    /// New /64s for prefix changes; nil: prefix changes leave customers as they are.
    public var v6PrefixPool: V6PrefixPool?
    /// The number of web-server endpoints; a request picks one at random and fails over to the
    /// next when the connection cannot be made.
    public var servers: Int
    public var startAt: Instant
    /// No request or change starts at or after this instant; requests in flight still finish.
    public var stopAt: Instant
    /// The `Host` header (inadyn puts `ipv4.`/`ipv6.` in front).
    public var hostHeader: String
    /// Wall-clock seconds (Unix time) at instant zero: where the days of daily changes and cron's
    /// minute marks fall.
    public var epochSeconds: UInt64
    /// True: the clients' caches hold the customers' initial addresses (the fleet has been running
    /// before the scenario starts), so nothing is sent until something changes. False: every client
    /// updates at its first check (a mass restart).
    public var cachesStartSynced: Bool

    public init(name: String, customers: [UpdaterCustomer], models: [UpdaterModel], ipChanges: [IPChangeProcess] = [],
                addressPool: [IPv4Address], v6PrefixPool: V6PrefixPool? = nil, servers: Int = 1,
                startAt: Instant = .zero, stopAt: Instant, hostHeader: String, epochSeconds: UInt64 = 0,
                cachesStartSynced: Bool = true) {
        precondition(servers >= 1, "a fleet needs a server")
        precondition(customers.allSatisfy { $0.model >= 0 && $0.model < models.count }, "customer model index out of range")
        precondition(customers.allSatisfy { Int($0.addressIndex) < addressPool.count }, "customer address index out of range")
        precondition(ipChanges.allSatisfy { $0.scope == .v6Prefix } || addressPool.count > customers.count,
                     "IPv4 changes need a pool with more addresses than customers")
        self.name = name
        self.customers = customers
        self.models = models
        self.ipChanges = ipChanges
        self.addressPool = addressPool
        self.v6PrefixPool = v6PrefixPool
        self.servers = servers
        self.startAt = startAt
        self.stopAt = stopAt
        self.hostHeader = hostHeader
        self.epochSeconds = epochSeconds
        self.cachesStartSynced = cachesStartSynced
    }
}
