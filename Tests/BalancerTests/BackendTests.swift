import DNSWire
import Determinism
import Testing

@testable import Balancer

/// Shared builders for the backend, policy, health-check and packet-cache tests.
enum Fixture {
    static let client = IPAddress("192.0.2.10")!

    static func name(_ text: String) -> DNSName { DNSName(text)! }

    static func at(_ seconds: Int64, ms: Int64 = 0) -> Instant {
        Instant.zero + .seconds(seconds) + .milliseconds(ms)
    }

    static func view(
        _ qname: String, type: RRType = .a, id: UInt16 = 1, transport: FrontendProtocol = .do53UDP,
        flags: HeaderFlags = .rd, dnssecOK: Bool = false, edns: UInt16? = nil, size: Int = 40, at: Instant = .zero
    ) -> QueryView {
        QueryView(client: client, clientPort: 5300, transport: transport, id: id, qname: name(qname), qtype: type,
                  flags: flags, dnssecOK: dnssecOK, ednsPayloadSize: edns, size: size, arrival: at)
    }

    /// A backend that is always up (no health checks), so policy tests see only what they set.
    static func forced(_ name: String, pools: [String] = [], order: Int = 1, weight: Int = 1, qps: Int? = nil)
        -> BackendConfig
    {
        BackendConfig(name: name, address: "198.51.100.\(name.utf8.count):53", pools: pools, order: order,
                      weight: weight, qpsLimit: qps, healthChecks: HealthCheckConfig(mode: .up))
    }

    static func table(
        _ backends: [BackendConfig], policy: ServerPolicy = .leastOutstanding,
        loadBalancing: LoadBalancingConfig = LoadBalancingConfig(), pools: [PoolConfig] = []
    ) throws -> BackendTable {
        var lb = loadBalancing
        lb.defaultPolicy = policy
        return try BackendTable(backends: backends, pools: pools, loadBalancing: lb)
    }
}

@Suite struct BackendTests {
    @Test func latencyIsAnEWMAOfUDPResponses() throws {
        var table = try Fixture.table([Fixture.forced("a")])
        #expect(table[0].latencyMicros == 0)
        table.queryForwarded(backend: 0, now: .zero)
        table.responseReceived(backend: 0, sentAt: .zero, now: .zero + .microseconds(1280), rcode: .noError,
                               overTCP: false)
        #expect(table[0].latencyMicros == 10)
        table.queryForwarded(backend: 0, now: .zero)
        table.responseReceived(backend: 0, sentAt: .zero, now: .zero + .microseconds(1280), rcode: .noError,
                               overTCP: false)
        #expect(table[0].latencyMicros == 10 * 127.0 / 128.0 + 10)
        // TCP answers feed the TCP average only.
        table.queryForwarded(backend: 0, now: .zero)
        table.responseReceived(backend: 0, sentAt: .zero, now: .zero + .milliseconds(128), rcode: .noError,
                               overTCP: true)
        #expect(table[0].latencyMicros == 10 * 127.0 / 128.0 + 10)
        #expect(table[0].tcpLatencyMicros == 1000)
        #expect(table[0].counters.tcpResponses == 1)
    }

    @Test func outstandingAndTimeoutsAreCounted() throws {
        var table = try Fixture.table([Fixture.forced("a")])
        for _ in 0..<3 { table.queryForwarded(backend: 0, now: .zero) }
        #expect(table[0].outstanding == 3)
        table.responseReceived(backend: 0, sentAt: .zero, now: Fixture.at(0, ms: 5), rcode: .nxDomain, overTCP: false)
        table.queryTimedOut(backend: 0, now: Fixture.at(2))
        #expect(table[0].outstanding == 1)
        #expect(table[0].counters.queries == 3)
        #expect(table[0].counters.responses == 1)
        #expect(table[0].counters.nxDomain == 1)
        #expect(table[0].counters.timeouts == 1)
        // Never negative, whatever the caller reports.
        table.queryTimedOut(backend: 0, now: Fixture.at(2))
        table.queryTimedOut(backend: 0, now: Fixture.at(2))
        #expect(table[0].outstanding == 0)
        // A timeout does not touch the latency average.
        #expect(table[0].latencyMicros == 5000.0 / 128)
    }

    @Test func rcodesAreCountedSeparately() throws {
        var table = try Fixture.table([Fixture.forced("a")])
        for rcode in [RCode.noError, .servFail, .refused, .formErr, .noError] {
            table.queryForwarded(backend: 0, now: .zero)
            table.responseReceived(backend: 0, sentAt: .zero, now: .zero, rcode: rcode, overTCP: false)
        }
        let counters = table[0].counters
        #expect((counters.noError, counters.servFail, counters.refused, counters.otherRCode) == (2, 1, 1, 1))
    }

    @Test func poolsCollectMembersSortedByOrder() throws {
        let table = try Fixture.table(
            [
                Fixture.forced("a", pools: ["edge"], order: 3), Fixture.forced("b"),
                Fixture.forced("c", pools: ["edge", "slow"], order: 1), Fixture.forced("d", pools: ["edge"], order: 3),
            ],
            pools: [PoolConfig(name: "slow", policy: .roundrobin, packetCache: "pc")])
        #expect(table.pools.map(\.name) == ["slow", "", "edge"])
        #expect(table.backends(inPool: "edge") == [2, 0, 3])
        #expect(table.backends(inPool: "") == [1])
        #expect(table.backends(inPool: "slow") == [2])
        #expect(table.backends(inPool: "nope") == [])
        #expect(table.pools[0].policy == .roundrobin)
        #expect(table.pools[0].packetCache == "pc")
        #expect(table.pools[2].policy == .leastOutstanding)
        #expect(table.backendIndex(named: "c") == 2)
        #expect(table.backendIndex(named: "z") == nil)
    }

    @Test func badConfigurationIsATypedError() {
        #expect(throws: BalancerConfigError.duplicateBackendName("a")) {
            try Fixture.table([Fixture.forced("a"), Fixture.forced("a")])
        }
        #expect(throws: BalancerConfigError.badWeight(backend: "a", weight: 0)) {
            try Fixture.table([Fixture.forced("a", weight: 0)])
        }
        #expect(throws: BalancerConfigError.emptyBackendName) {
            try Fixture.table([Fixture.forced("")])
        }
        #expect(throws: BalancerConfigError.duplicatePool("p")) {
            try Fixture.table([Fixture.forced("a")], pools: [PoolConfig(name: "p"), PoolConfig(name: "p")])
        }
        #expect(throws: BalancerConfigError.badBalancingFactor(-1)) {
            try Fixture.table([Fixture.forced("a")], loadBalancing: LoadBalancingConfig(weightedBalancingFactor: -1))
        }
        var bad = Fixture.forced("a")
        bad.healthChecks.qname = "a..b"
        #expect(throws: BalancerConfigError.badHealthCheckName(backend: "a", qname: "a..b")) {
            try Fixture.table([bad])
        }
        bad = Fixture.forced("a")
        bad.healthChecks.maxFailures = 0
        #expect(throws: BalancerConfigError.badHealthCheck(backend: "a", field: "max_failures")) {
            try Fixture.table([bad])
        }
        bad = Fixture.forced("a")
        bad.healthChecks.lazy.threshold = 101
        #expect(throws: BalancerConfigError.badHealthCheck(backend: "a", field: "lazy.threshold")) {
            try Fixture.table([bad])
        }
    }

    @Test func defaultsMatchDnsdist() {
        let checks = HealthCheckConfig()
        #expect(checks.mode == .auto && checks.interval == .seconds(1) && checks.timeout == .milliseconds(1000))
        #expect(checks.maxFailures == 1 && checks.rise == 1 && checks.qname == "a.root-servers.net.")
        #expect(checks.qtype == .a && checks.qclass == .in && !checks.mustResolve && !checks.useTCP)
        let lazy = checks.lazy
        #expect(lazy.sampleSize == 100 && lazy.minSampleCount == 1 && lazy.threshold == 20)
        #expect(lazy.mode == .timeoutOrServFail && lazy.interval == .seconds(30))
        #expect(!lazy.useExponentialBackOff && lazy.maxBackOff == .seconds(3600))
        let backend = BackendConfig(name: "a", address: "192.0.2.1:53")
        #expect(backend.order == 1 && backend.weight == 1 && backend.qpsLimit == nil && backend.pools.isEmpty)
        let lb = LoadBalancingConfig()
        #expect(lb.defaultPolicy == .leastOutstanding && !lb.servfailOnNoServer && !lb.roundRobinServfailOnNoServer)
        #expect(lb.weightedBalancingFactor == 0 && lb.consistentHashingBalancingFactor == 0 && lb.hashPerturbation == 0)
        #expect(ServerPolicy(name: "chashed") == .chashed && ServerPolicy(name: "random") == nil)
    }

    @Test func administrativeStateOverridesHealthAndIsRecorded() throws {
        var table = try BackendTable(backends: [BackendConfig(name: "a", address: "192.0.2.1:53")])
        #expect(table[0].isUp && table[0].admin == .auto)
        table.setDown(backend: 0, now: Fixture.at(5))
        #expect(!table[0].isUp)
        #expect(table.nextHealthDeadline == nil)  // no probes while forced
        #expect(table.healthTick(now: Fixture.at(6)).isEmpty)
        table.setUp(backend: 0, now: Fixture.at(7))
        #expect(table[0].isUp)
        table.setAuto(backend: 0, now: Fixture.at(8))
        #expect(table.nextHealthDeadline == Fixture.at(8))
        #expect(table.drainStateChanges() == [
            BackendStateChange(backend: 0, up: false, at: Fixture.at(5), reason: .administrative(.down)),
            BackendStateChange(backend: 0, up: true, at: Fixture.at(7), reason: .administrative(.up)),
        ])
        #expect(table.stateChanges.isEmpty)
    }

    @Test func qpsLimiterIsATokenBucket() {
        var limiter = QPSLimiter(rate: 2)
        var passes = limiter.checkOnly(now: .zero)
        #expect(passes)
        passes = limiter.checkOnly(now: .zero)
        #expect(passes)  // peeking consumes nothing
        limiter.addHit(now: .zero)
        limiter.addHit(now: .zero)
        passes = limiter.checkOnly(now: .zero)
        #expect(!passes)
        passes = limiter.checkOnly(now: Fixture.at(0, ms: 499))
        #expect(!passes)
        passes = limiter.checkOnly(now: Fixture.at(0, ms: 500))
        #expect(passes)
        // Refill stops at the burst.
        passes = limiter.checkOnly(now: Fixture.at(100))
        #expect(passes)
        #expect(limiter.tokens == 2)
        limiter.addHit(now: Fixture.at(100))
        limiter.addHit(now: Fixture.at(100))
        limiter.addHit(now: Fixture.at(100))
        #expect(limiter.tokens == -1)
    }
}
