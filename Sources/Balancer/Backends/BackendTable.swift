import DNSWire
import Determinism

/// A pool: its members (backend indices, stable-sorted by `order` as dnsdist's `ServerPool`
/// keeps them), its policy and its packet cache name.
public struct BackendPool: Sendable, Equatable {
    public let name: String
    public let members: [Int]
    public let policy: ServerPolicy
    public let packetCache: String?
}

/// The balancer's backends, pools and policies, with per-backend latency, outstanding and health
/// state. A sans-IO value: the caller reports what happened (query sent, response, timeout,
/// probe answer) with instants and asks for decisions.
///
/// Backends are indexed by `Int` in config order; pools by `Int` in order of first mention (the
/// `pools` configs first, then the backends' `pools` lists; the default pool `""` always exists).
public struct BackendTable: Sendable {
    public internal(set) var backends: [BackendState]
    public private(set) var pools: [BackendPool]
    public let loadBalancing: LoadBalancingConfig
    /// Up/down transitions in order (health checks and administrative changes).
    public internal(set) var stateChanges: [BackendStateChange] = []
    var roundRobinCounter: UInt64 = 0
    var probeCounter: UInt64 = 0

    /// Validates the configuration. Active (`auto`) backends get their first probe at `start`;
    /// every backend starts up (see docs/balancer-backends.md, "Initial state").
    public init(
        backends configs: [BackendConfig], pools poolConfigs: [PoolConfig] = [],
        loadBalancing: LoadBalancingConfig = LoadBalancingConfig(), start: Instant = .zero
    ) throws(BalancerConfigError) {
        guard loadBalancing.weightedBalancingFactor >= 0, loadBalancing.weightedBalancingFactor.isFinite else {
            throw .badBalancingFactor(loadBalancing.weightedBalancingFactor)
        }
        guard loadBalancing.consistentHashingBalancingFactor >= 0,
            loadBalancing.consistentHashingBalancingFactor.isFinite
        else { throw .badBalancingFactor(loadBalancing.consistentHashingBalancingFactor) }
        self.loadBalancing = loadBalancing

        var states: [BackendState] = []
        states.reserveCapacity(configs.count)
        for (index, config) in configs.enumerated() {
            guard !config.name.isEmpty else { throw .emptyBackendName }
            if configs[..<index].contains(where: { $0.name == config.name }) {
                throw .duplicateBackendName(config.name)
            }
            states.append(try Self.makeState(index: index, config: config, perturbation: loadBalancing.hashPerturbation,
                                             start: start))
        }
        self.backends = states

        // Pools: declared ones first, then those the backends name, in order of first mention.
        var names: [String] = []
        var policies: [ServerPolicy?] = []
        var caches: [String?] = []
        for pool in poolConfigs {
            if names.contains(pool.name) { throw .duplicatePool(pool.name) }
            names.append(pool.name)
            policies.append(pool.policy)
            caches.append(pool.packetCache)
        }
        if !names.contains("") {
            names.append("")
            policies.append(nil)
            caches.append(nil)
        }
        for config in configs {
            for pool in (config.pools.isEmpty ? [""] : config.pools) where !names.contains(pool) {
                names.append(pool)
                policies.append(nil)
                caches.append(nil)
            }
        }
        var built: [BackendPool] = []
        for (slot, name) in names.enumerated() {
            let members = configs.indices.filter { index in
                let pools = configs[index].pools
                return pools.isEmpty ? name == "" : pools.contains(name)
            }
            // Stable sort by order: dnsdist's pools keep servers ordered by `order`.
            let sorted = members.enumerated().sorted { lhs, rhs in
                let (a, b) = (configs[lhs.element].order, configs[rhs.element].order)
                return a != b ? a < b : lhs.offset < rhs.offset
            }.map(\.element)
            built.append(BackendPool(name: name, members: sorted, policy: policies[slot] ?? loadBalancing.defaultPolicy,
                                     packetCache: caches[slot]))
        }
        self.pools = built
    }

    private static func makeState(
        index: Int, config: BackendConfig, perturbation: UInt32, start: Instant
    ) throws(BalancerConfigError) -> BackendState {
        let name = config.name
        guard config.weight >= 1, config.weight <= Int(Int32.max) else {
            throw .badWeight(backend: name, weight: config.weight)
        }
        if let qps = config.qpsLimit, qps < 0 { throw .badQPSLimit(backend: name, qps: qps) }
        if let timeout = config.udpTimeout, timeout <= .zero { throw .badUDPTimeout(backend: name) }
        let checks = config.healthChecks
        guard checks.interval > .zero else { throw .badHealthCheck(backend: name, field: "interval") }
        guard checks.timeout > .zero else { throw .badHealthCheck(backend: name, field: "timeout") }
        guard checks.maxFailures >= 1 else { throw .badHealthCheck(backend: name, field: "max_failures") }
        guard checks.rise >= 1 else { throw .badHealthCheck(backend: name, field: "rise") }
        let lazy = checks.lazy
        guard lazy.sampleSize >= 1 else { throw .badHealthCheck(backend: name, field: "lazy.sample_size") }
        guard lazy.minSampleCount >= 0 else { throw .badHealthCheck(backend: name, field: "lazy.min_sample_count") }
        guard lazy.threshold >= 0, lazy.threshold <= 100 else {
            throw .badHealthCheck(backend: name, field: "lazy.threshold")
        }
        guard lazy.interval > .zero else { throw .badHealthCheck(backend: name, field: "lazy.interval") }
        guard lazy.maxBackOff > .zero else { throw .badHealthCheck(backend: name, field: "lazy.max_back_off") }

        let qnameText = checks.qname.isEmpty ? HealthCheckConfig.defaultQName : checks.qname
        guard let qname = DNSName(qnameText) else { throw .badHealthCheckName(backend: name, qname: checks.qname) }
        let probe = Message(id: 0, flags: .rd, questions: [Question(name: qname, type: checks.qtype, class: checks.qclass)])
        guard let template = try? probe.wire() else { throw .badHealthCheckName(backend: name, qname: checks.qname) }

        let admin: AdminState
        let checkMode: HealthCheckMode
        switch checks.mode {
        case .auto: (admin, checkMode) = (.auto, .auto)
        case .lazy: (admin, checkMode) = (.auto, .lazy)
        case .up: (admin, checkMode) = (.up, .auto)
        case .down: (admin, checkMode) = (.down, .auto)
        }
        var health = HealthState(checkMode: checkMode, initialPending: checks.mode == .auto,
                                 sample: [Bool](repeating: false, count: lazy.sampleSize))
        if checks.mode == .auto { health.nextCheck = start }

        var limiter: QPSLimiter?
        if let qps = config.qpsLimit, qps > 0 { limiter = QPSLimiter(rate: qps) }
        return BackendState(
            index: index, config: config, admin: admin, healthUp: true, qpsLimiter: limiter, health: health,
            ringPoints: Self.ringPoints(name: name, weight: config.weight, perturbation: perturbation),
            probeTemplate: template, probeName: qname)
    }

    // MARK: Lookup

    public var count: Int { backends.count }

    public subscript(index: Int) -> BackendState { backends[index] }

    public func backendIndex(named name: String) -> Int? {
        backends.firstIndex { $0.config.name == name }
    }

    public func poolIndex(named name: String) -> Int? {
        pools.firstIndex { $0.name == name }
    }

    /// Members of the pool (backend indices, ordered by `order`); empty for an unknown pool.
    public func backends(inPool name: String) -> [Int] {
        guard let pool = poolIndex(named: name) else { return [] }
        return pools[pool].members
    }

    /// True when at least one member of the pool is up (dnsdist `countServers(upOnly: true) > 0`).
    public func hasUpBackend(poolIndex: Int) -> Bool {
        for member in pools[poolIndex].members where backends[member].isUp { return true }
        return false
    }

    public func hasUpBackend(pool name: String) -> Bool {
        guard let pool = poolIndex(named: name) else { return false }
        return hasUpBackend(poolIndex: pool)
    }

    /// When no server is available: answer SERVFAIL (true) or drop the query (false).
    public var servfailOnNoServer: Bool { loadBalancing.servfailOnNoServer }

    // MARK: Query accounting

    /// A query was sent to the backend: counts it, raises `outstanding`, consumes a QPS token.
    public mutating func queryForwarded(backend: Int, now: Instant) {
        backends[backend].counters.queries &+= 1
        backends[backend].outstanding += 1
        backends[backend].qpsLimiter?.addHit(now: now)
    }

    /// A response came back from the backend. Over UDP it feeds the latency average
    /// (`127/128·lat + 1/128·µs`); over TCP the TCP average. Also feeds the lazy health-check sample
    /// (SERVFAIL is a failure in `TimeoutOrServFail` mode), so do not call `queryResult` as well.
    public mutating func responseReceived(backend: Int, sentAt: Instant, now: Instant, rcode: RCode, overTCP: Bool) {
        if backends[backend].outstanding > 0 { backends[backend].outstanding -= 1 }
        backends[backend].counters.responses &+= 1
        switch rcode {
        case .noError: backends[backend].counters.noError &+= 1
        case .servFail: backends[backend].counters.servFail &+= 1
        case .nxDomain: backends[backend].counters.nxDomain &+= 1
        case .refused: backends[backend].counters.refused &+= 1
        default: backends[backend].counters.otherRCode &+= 1
        }
        let elapsed = Double(max(0, (now - sentAt).nanoseconds)) / 1000
        if overTCP {
            backends[backend].counters.tcpResponses &+= 1
            backends[backend].tcpLatencyMicros = backends[backend].tcpLatencyMicros * 127 / 128 + elapsed / 128
        } else {
            backends[backend].latencyMicros = backends[backend].latencyMicros * 127 / 128 + elapsed / 128
        }
        queryResult(backend: backend, outcome: rcode == .servFail ? .servFail : .success, now: now)
    }

    /// A query to the backend timed out. dnsdist does not retry it elsewhere: it is counted,
    /// `outstanding` drops, and the lazy sample records a failure.
    public mutating func queryTimedOut(backend: Int, now: Instant) {
        if backends[backend].outstanding > 0 { backends[backend].outstanding -= 1 }
        backends[backend].counters.timeouts &+= 1
        queryResult(backend: backend, outcome: .timeout, now: now)
    }

    // MARK: Administrative state

    /// Forces the backend up (dnsdist `Server:setUp()`); health checks stop.
    public mutating func setUp(backend: Int, now: Instant) {
        setAdmin(backend, .up, now: now)
    }

    /// Forces the backend down (dnsdist `Server:setDown()`); health checks stop.
    public mutating func setDown(backend: Int, now: Instant) {
        setAdmin(backend, .down, now: now)
    }

    /// Back to health checks in the configured mode (active, or lazy); an active backend is probed
    /// at `now`. Its health state is what the checks last decided.
    public mutating func setAuto(backend: Int, now: Instant) {
        setAdmin(backend, .auto, now: now)
        if backends[backend].health.checkMode == .auto {
            if backends[backend].health.probe == nil { backends[backend].health.nextCheck = now }
        } else if backends[backend].health.lazyStatus != .healthy, backends[backend].health.probe == nil {
            backends[backend].health.nextCheck = now
        }
    }

    private mutating func setAdmin(_ backend: Int, _ state: AdminState, now: Instant) {
        let wasUp = backends[backend].isUp
        backends[backend].admin = state
        if state != .auto { backends[backend].health.probe = nil }
        let isUp = backends[backend].isUp
        if wasUp != isUp {
            stateChanges.append(BackendStateChange(backend: backend, up: isUp, at: now, reason: .administrative(state)))
        }
    }

    /// Returns the recorded state changes and forgets them.
    public mutating func drainStateChanges() -> [BackendStateChange] {
        defer { stateChanges.removeAll(keepingCapacity: true) }
        return stateChanges
    }

    mutating func recordChange(_ change: BackendStateChange) {
        stateChanges.append(change)
    }
}
