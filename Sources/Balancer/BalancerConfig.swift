import DNSWire
import Determinism

/// One balancer's configuration: the subset of dnsdist 2.0's YAML configuration we implement
/// (docs/balancer.md), already validated. Both balancers of a cluster normally share it.
public struct BalancerConfig: Sendable, Equatable {
    /// Clients allowed to query (dnsdist's `acl`). dnsdist's default is loopback and private
    /// ranges only; a simulated cluster's clients live in public-like ranges, so our default lets
    /// everyone in. Queries from outside are dropped and counted (`acl-drops`).
    public var acl: NetmaskGroup
    public var backends: [BackendConfig]
    public var pools: [PoolConfig]
    public var loadBalancing: LoadBalancingConfig
    public var packetCaches: [PacketCacheConfig]
    public var cacheSettings: CacheSettings
    public var queryRules: [QueryRuleConfig]
    public var responseRules: [ResponseRuleConfig]
    public var dynamicRules: [DynBlockGroupConfig]
    public var dynamicRulesSettings: DynBlockSettings
    public var ringBuffers: RingBufferConfig
    /// How long a UDP query waits for its backend (`tuning.udp.timeout`, default 2 s). A timed-out
    /// query is not retried elsewhere: the client's own retry is what recovers (dnsdist #13575).
    public var udpTimeout: SimDuration
    /// How long a query forwarded to a backend over a connection waits (the backends'
    /// `tcp.receive_timeout`, default 30 s).
    public var tcpReadTimeout: SimDuration
    /// How often dynamic-block groups are evaluated (dnsdist's maintenance thread sleeps 1 s).
    public var maintenanceInterval: SimDuration
    /// Incoming connections: `tuning.tcp` and the binds' connection limits (`FrontendConnections`).
    public var connections: FrontendConnectionsConfig

    public init(
        acl: NetmaskGroup = NetmaskGroup([Netmask("0.0.0.0/0")!, Netmask("::/0")!]),
        backends: [BackendConfig] = [], pools: [PoolConfig] = [], loadBalancing: LoadBalancingConfig = LoadBalancingConfig(),
        packetCaches: [PacketCacheConfig] = [], cacheSettings: CacheSettings = CacheSettings(),
        queryRules: [QueryRuleConfig] = [], responseRules: [ResponseRuleConfig] = [],
        dynamicRules: [DynBlockGroupConfig] = [], dynamicRulesSettings: DynBlockSettings = DynBlockSettings(),
        ringBuffers: RingBufferConfig = RingBufferConfig(), udpTimeout: SimDuration = .seconds(2),
        tcpReadTimeout: SimDuration = .seconds(30), maintenanceInterval: SimDuration = .seconds(1),
        connections: FrontendConnectionsConfig = FrontendConnectionsConfig()
    ) {
        self.acl = acl
        self.backends = backends
        self.pools = pools
        self.loadBalancing = loadBalancing
        self.packetCaches = packetCaches
        self.cacheSettings = cacheSettings
        self.queryRules = queryRules
        self.responseRules = responseRules
        self.dynamicRules = dynamicRules
        self.dynamicRulesSettings = dynamicRulesSettings
        self.ringBuffers = ringBuffers
        self.udpTimeout = udpTimeout
        self.tcpReadTimeout = tcpReadTimeout
        self.maintenanceInterval = maintenanceInterval
        self.connections = connections
    }
}

/// A configuration the balancer cannot run with. The scenario loader validates first, so these
/// reach a user only from hand-built configurations.
public enum BalancerSetupError: Error, Equatable, Sendable, CustomStringConvertible {
    case rules(String)
    case dynamicRules(String)
    case backends(String)
    case unknownPacketCache(pool: String, cache: String)

    public var description: String {
        switch self {
        case .rules(let text): "query or response rules: \(text)"
        case .dynamicRules(let text): "dynamic rules: \(text)"
        case .backends(let text): "backends: \(text)"
        case .unknownPacketCache(let pool, let cache): "pool \"\(pool)\" names packet cache \"\(cache)\", which is not defined"
        }
    }
}
