import DNSWire
import Determinism

/// A load-balancing policy (dnsdist's built-in server policies, by their dnsdist names).
public enum ServerPolicy: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    case leastOutstanding
    case firstAvailable
    case wrandom
    case whashed
    case chashed
    case roundrobin

    /// Parses a dnsdist policy name (`leastOutstanding`, `firstAvailable`, `wrandom`, `whashed`,
    /// `chashed`, `roundrobin`).
    public init?(name: String) { self.init(rawValue: name) }

    public var description: String { rawValue }
}

/// `health_checks.mode`: active checks (`auto`), forced `up` or `down`, or `lazy` checks.
public enum HealthCheckMode: String, Sendable, Equatable, CaseIterable {
    case auto, up, down, lazy
}

/// `health_checks.lazy.mode`: which regular-query results count as failures.
public enum LazyHealthCheckMode: String, Sendable, Equatable, CaseIterable {
    /// Timeouts and SERVFAIL answers (dnsdist `TimeoutOrServFail`, the default).
    case timeoutOrServFail = "TimeoutOrServFail"
    /// Timeouts only (dnsdist `TimeoutOnly`).
    case timeoutOnly = "TimeoutOnly"
}

/// `backends[].health_checks.lazy` (dnsdist `LazyHealthCheckConfiguration`).
public struct LazyHealthCheckConfig: Sendable, Equatable {
    /// `sample_size`: how many recent regular-query results are kept.
    public var sampleSize: Int
    /// `min_sample_count`: results needed before the threshold applies.
    public var minSampleCount: Int
    /// `threshold`: failure percentage (0–100) that moves a healthy backend to PotentialFailure.
    public var threshold: Int
    public var mode: LazyHealthCheckMode
    /// `interval`: time between probes in the Failed state.
    public var interval: SimDuration
    public var useExponentialBackOff: Bool
    /// `max_back_off`: cap on the back-off delay.
    public var maxBackOff: SimDuration

    public init(
        sampleSize: Int = 100, minSampleCount: Int = 1, threshold: Int = 20,
        mode: LazyHealthCheckMode = .timeoutOrServFail, interval: SimDuration = .seconds(30),
        useExponentialBackOff: Bool = false, maxBackOff: SimDuration = .seconds(3600)
    ) {
        self.sampleSize = sampleSize
        self.minSampleCount = minSampleCount
        self.threshold = threshold
        self.mode = mode
        self.interval = interval
        self.useExponentialBackOff = useExponentialBackOff
        self.maxBackOff = maxBackOff
    }
}

/// `backends[].health_checks` (dnsdist `HealthCheckConfiguration`).
public struct HealthCheckConfig: Sendable, Equatable {
    public var mode: HealthCheckMode
    /// `interval`: time between active probes (and between PotentialFailure probes in lazy mode).
    public var interval: SimDuration
    /// `timeout`: how long a probe may take.
    public var timeout: SimDuration
    /// `max_failures`: consecutive failed probes before an up backend is marked down.
    public var maxFailures: Int
    /// `rise`: consecutive successful probes before a down backend is marked up.
    public var rise: Int
    /// `qname`, `qtype`, `qclass`: the probe question. An empty qname means `a.root-servers.net.`.
    public var qname: String
    public var qtype: RRType
    public var qclass: DNSClass
    /// `must_resolve`: NXDOMAIN and REFUSED count as failures too (SERVFAIL always does).
    public var mustResolve: Bool
    /// `use_tcp`: probe over TCP.
    public var useTCP: Bool
    public var lazy: LazyHealthCheckConfig

    public static let defaultQName = "a.root-servers.net."

    public init(
        mode: HealthCheckMode = .auto, interval: SimDuration = .seconds(1), timeout: SimDuration = .milliseconds(1000),
        maxFailures: Int = 1, rise: Int = 1, qname: String = HealthCheckConfig.defaultQName, qtype: RRType = .a,
        qclass: DNSClass = .in, mustResolve: Bool = false, useTCP: Bool = false,
        lazy: LazyHealthCheckConfig = LazyHealthCheckConfig()
    ) {
        self.mode = mode
        self.interval = interval
        self.timeout = timeout
        self.maxFailures = maxFailures
        self.rise = rise
        self.qname = qname
        self.qtype = qtype
        self.qclass = qclass
        self.mustResolve = mustResolve
        self.useTCP = useTCP
        self.lazy = lazy
    }
}

/// One entry of `backends` (dnsdist `BackendConfiguration` / `newServer`).
public struct BackendConfig: Sendable, Equatable {
    /// `name`: unique within the table; also seeds the backend's points on the `chashed` ring
    /// (dnsdist uses the backend's `id` UUID there).
    public var name: String
    /// `address`: `ip:port`, carried for the integrator (no I/O here).
    public var address: String
    /// `pools`: the pools this backend belongs to; empty means the default pool `""`.
    public var pools: [String]
    /// `order`: tie-breaker for `leastOutstanding`, ranking for `firstAvailable`.
    public var order: Int
    /// `weight`: 1…2147483647, used by `wrandom`, `whashed` and `chashed`.
    public var weight: Int
    /// `queries_per_second` (newServer `qps`): the limit `firstAvailable` honours; nil or 0 = none.
    public var qpsLimit: Int?
    /// `udp_timeout`: overrides the global UDP timeout for this backend when set.
    public var udpTimeout: SimDuration?
    public var healthChecks: HealthCheckConfig

    public init(
        name: String, address: String, pools: [String] = [], order: Int = 1, weight: Int = 1, qpsLimit: Int? = nil,
        udpTimeout: SimDuration? = nil, healthChecks: HealthCheckConfig = HealthCheckConfig()
    ) {
        self.name = name
        self.address = address
        self.pools = pools
        self.order = order
        self.weight = weight
        self.qpsLimit = qpsLimit
        self.udpTimeout = udpTimeout
        self.healthChecks = healthChecks
    }
}

/// One entry of `pools` (dnsdist `PoolConfiguration`).
public struct PoolConfig: Sendable, Equatable {
    public var name: String
    /// nil: the default policy of `load_balancing_policies`.
    public var policy: ServerPolicy?
    /// The name of a `packet_caches` entry, if any.
    public var packetCache: String?

    public init(name: String, policy: ServerPolicy? = nil, packetCache: String? = nil) {
        self.name = name
        self.policy = policy
        self.packetCache = packetCache
    }
}

/// `load_balancing_policies` (dnsdist `LoadBalancingPoliciesConfiguration`).
public struct LoadBalancingConfig: Sendable, Equatable {
    public var defaultPolicy: ServerPolicy
    /// Answer SERVFAIL (instead of dropping) when no server is available.
    public var servfailOnNoServer: Bool
    /// `roundrobin` returns no server when all are down (instead of picking a down one).
    public var roundRobinServfailOnNoServer: Bool
    /// Bounded-load factor for `wrandom` and `whashed`; 0 disables it.
    public var weightedBalancingFactor: Double
    /// Bounded-load factor for `chashed`; 0 disables it.
    public var consistentHashingBalancingFactor: Double
    /// Seed of the qname hash used by `whashed` and `chashed`.
    public var hashPerturbation: UInt32

    public init(
        defaultPolicy: ServerPolicy = .leastOutstanding, servfailOnNoServer: Bool = false,
        roundRobinServfailOnNoServer: Bool = false, weightedBalancingFactor: Double = 0,
        consistentHashingBalancingFactor: Double = 0, hashPerturbation: UInt32 = 0
    ) {
        self.defaultPolicy = defaultPolicy
        self.servfailOnNoServer = servfailOnNoServer
        self.roundRobinServfailOnNoServer = roundRobinServfailOnNoServer
        self.weightedBalancingFactor = weightedBalancingFactor
        self.consistentHashingBalancingFactor = consistentHashingBalancingFactor
        self.hashPerturbation = hashPerturbation
    }
}

/// Why a backend, pool or cache configuration was rejected.
public enum BalancerConfigError: Error, Sendable, Equatable {
    case emptyBackendName
    case duplicateBackendName(String)
    case badWeight(backend: String, weight: Int)
    case badQPSLimit(backend: String, qps: Int)
    case badUDPTimeout(backend: String)
    case badHealthCheck(backend: String, field: String)
    case badHealthCheckName(backend: String, qname: String)
    case duplicatePool(String)
    case badBalancingFactor(Double)
    case badCacheSize(cache: String, size: Int)
    case badCacheSetting(cache: String, field: String)
}
