import DNSWire
import Determinism
import Testing

@testable import Scenario

/// Valid scenarios load into the expected model, with documented defaults.
@Suite struct ScenarioLoaderTests {
    /// Every key of schema version 1 at once (the reference example of docs/scenarios.md).
    static let everything = """
        version: 1
        name: every.key_v1-test
        seed: 18446744073709551615
        duration: 1m30s
        epoch: 2026-03-01T04:00:00Z
        sites:
          fsn1: { networks: [public, internal], local_latency: 100us }
          internet: { networks: [public] }
          nbg1: { networks: [public], local_latency: { base: 50us, jitter: "uniform(0ns, 20us)" } }
        links:
          - between: [internet, fsn1]
            latency:
              base: 12ms
              jitter: lognormal(2ms, 0.6)
              tail: pareto(20ms, 1.5)
              tail_share: 0.1%
            loss: 0.05%
            duplicate: 0.001%
            reorder: 1%
            reorder_delay: 2ms
          - { between: [fsn1, nbg1], latency: 3ms }
        nameservers:
          - name: ns1
            site: fsn1
            networks: [public]
            capacity: { cores: 4, service_time: 15us, queue: 0 }
          - { name: ns2, site: nbg1 }
        zones: [../fixtures/zones/dyn.example.zone, other.zone]
        workload:
          - resolvers:
              name: legit
              count: 2000
              site: internet
              targets: [ns1]
              rate: poisson(5k/s)
              qtypes: { A: 70%, AAAA: 25%, TXT: 5% }
              names: zipf(0.9)
              nxdomain: 3%
              edns: { share: 90%, sizes: [1232, 4096] }
              timeout: 1.5s
              retries: 0
              tcp_fallback: false
          - resolvers: { name: ramp, count: 1, site: fsn1, rate: "ramp(0/s, 2.5k/s)" }
          - resolvers: { name: daily, count: 1, site: internet, rate: "diurnal(100/s, 900/s, 24h, 14h)" }
        faults:
          - { at: 20s, crash: ns1, for: 10s }
          - { at: 30s, hang: ns2, for: 2s }
          - { at: 35s, slow: ns1, factor: 10, for: 5s }
          - { at: 40s, partition: [internet, fsn1], one_way: true, for: 10s }
          - { at: 50s, degrade: [fsn1, internet], latency: +50ms, loss: 5%, for: 5s }
          - { at: 0s, clock_skew: ns2, offset: -30s }
        random_faults: { kinds: [crash, degrade], mean_interval: 60s, duration: 10s..30s }
        expect:
          legit.availability: ">= 99.9%"
          legit.latency.p99: "< 0.5s"
          legit.latency.p50: "<= 250us"
          legit.answers.wrong: "== 0"
          server.ns2.dropped: "!= 3"
          trace.events: "> 1000"

        """

    @Test func readsEveryKey() throws {
        let scenario = try #require(Fixture.load(Self.everything))
        #expect(scenario.version == 1 && scenario.name == "every.key_v1-test" && scenario.seed == .max)
        #expect(scenario.duration == .seconds(90))
        #expect(scenario.epochSeconds == 1_772_337_600)
        #expect(scenario.sites.map(\.name) == ["fsn1", "internet", "nbg1"])
        #expect(scenario.sites[0].networks == ["public", "internal"])
        #expect(scenario.sites[0].localLatency == LatencySpec(base: .microseconds(100)))
        #expect(scenario.sites[2].localLatency
            == LatencySpec(base: .microseconds(50), jitter: .uniform(.zero, .microseconds(20))))
        let link = scenario.links[0]
        #expect(link.between == ("internet", "fsn1"))
        #expect(link.latency == LatencySpec(
            base: .milliseconds(12), jitter: .logNormal(median: .milliseconds(2), sigma: 0.6),
            tail: .pareto(minimum: .milliseconds(20), alpha: 1.5), tailPartsPerMillion: 1_000))
        #expect(link.lossPartsPerMillion == 500 && link.duplicatePartsPerMillion == 10)
        #expect(link.reorderPartsPerMillion == 10_000 && link.reorderDelay == .milliseconds(2))
        #expect(scenario.links[1] == Link(between: ("fsn1", "nbg1"), latency: LatencySpec(base: .milliseconds(3))))
        #expect(scenario.nameservers == [
            NameserverSpec(name: "ns1", site: "fsn1", networks: ["public"],
                           capacity: CapacitySpec(cores: 4, serviceTime: .microseconds(15), queueLimit: 0),
                           position: SourcePosition(line: 23, column: 5)),
            NameserverSpec(name: "ns2", site: "nbg1", networks: ["public"],
                           position: SourcePosition(line: 27, column: 5)),
        ])
        #expect(scenario.zoneFiles == ["../fixtures/zones/dyn.example.zone", "other.zone"])
    }

    @Test func readsWorkload() throws {
        let scenario = try #require(Fixture.load(Self.everything))
        #expect(scenario.workload.map(\.name) == ["legit", "ramp", "daily"])
        let legit = ResolverPopulationSpec(
            name: "legit", count: 2000, site: "internet", targets: ["ns1"], rate: .poisson(perSecond: 5_000),
            queryTypes: [(.a, 700_000), (.aaaa, 250_000), (.txt, 50_000)], zipfExponent: 0.9,
            nxdomainPartsPerMillion: 30_000, ednsPartsPerMillion: 900_000, ednsSizes: [1232, 4096],
            timeout: .milliseconds(1_500), retries: 0, tcpFallback: false)
        #expect(scenario.workload[0] == legit)
        #expect(scenario.workload[1].rate == .ramp(from: 0, to: 2_500))
        #expect(scenario.workload[2].rate
            == .diurnal(trough: 100, peak: 900, period: .seconds(86_400), peakAt: .seconds(50_400)))
    }

    @Test func readsFaultsAndExpectations() throws {
        let scenario = try #require(Fixture.load(Self.everything))
        #expect(scenario.faults.map(\.kind) == [
            .crash(host: "ns1"), .hang(host: "ns2"), .slow(host: "ns1", factor: 10),
            .partition(from: "internet", to: "fsn1", oneWay: true),
            .degrade(between: ("fsn1", "internet"), extraLatency: .milliseconds(50), lossPartsPerMillion: 50_000),
            .clockSkew(host: "ns2", offset: .seconds(-30)),
        ])
        #expect(scenario.faults.map(\.at) == [20, 30, 35, 40, 50, 0].map { SimDuration.seconds($0) })
        #expect(scenario.faults.map(\.duration) == [10, 2, 5, 10, 5].map { SimDuration.seconds($0) } + [nil])
        #expect(scenario.faults[0].position == SourcePosition(line: 46, column: 5))
        #expect(scenario.randomFaults == RandomFaultSpec(
            kinds: ["crash", "degrade"], meanInterval: .seconds(60), minimumDuration: .seconds(10),
            maximumDuration: .seconds(30)))
        let expectations = scenario.expectations
        #expect(expectations.map(\.figure) == [
            "legit.availability", "legit.latency.p99", "legit.latency.p50", "legit.answers.wrong",
            "server.ns2.dropped", "trace.events",
        ])
        #expect(expectations.map(\.comparison) == [.greaterOrEqual, .less, .lessOrEqual, .equal, .notEqual, .greater])
        #expect(expectations.map(\.threshold) == [99.9, 500, 0.25, 0, 3, 1000])
        #expect(expectations[0].text == ">= 99.9%" && expectations[0].position == SourcePosition(line: 54, column: 3))
    }

    @Test func appliesDefaults() throws {
        let scenario = try #require(Fixture.load(Fixture.base))
        #expect(scenario.seed == 1 && scenario.epochSeconds == 1_767_225_600)
        #expect(scenario.sites[0].localLatency == LatencySpec(base: .microseconds(100)))
        #expect(scenario.links[0] == Link(between: ("internet", "fsn1"), latency: LatencySpec(base: .milliseconds(10))))
        #expect(scenario.links[0].reorderDelay == .milliseconds(5))
        #expect(scenario.nameservers[0].networks == ["public", "internal"])
        #expect(scenario.nameservers[0].capacity
            == CapacitySpec(cores: 2, serviceTime: .microseconds(20), queueLimit: 1024))
        let expected = ResolverPopulationSpec(
            name: "legit", count: 10, site: "internet", targets: ["ns1", "ns2"], rate: .poisson(perSecond: 100),
            queryTypes: [(.a, 1_000_000)], zipfExponent: 1.1, nxdomainPartsPerMillion: 0,
            ednsPartsPerMillion: 1_000_000, ednsSizes: [1232], timeout: .seconds(2), retries: 2, tcpFallback: true)
        #expect(scenario.workload == [expected])
        #expect(scenario.faults.isEmpty && scenario.randomFaults == nil && scenario.expectations.isEmpty)
    }

    @Test func randomFaultKindsDefaultToThoseThatApply() throws {
        let yaml = """
            version: 1
            name: lone
            duration: 10s
            sites: { fsn1: { networks: [public] } }
            nameservers: [{ name: ns1, site: fsn1 }]
            zones: [z.zone]
            random_faults: { mean_interval: 5s, duration: 2s }

            """
        let scenario = try #require(Fixture.load(yaml))
        #expect(scenario.randomFaults == RandomFaultSpec(
            kinds: ["crash", "hang", "slow", "clock_skew"], meanInterval: .seconds(5), minimumDuration: .seconds(2),
            maximumDuration: .seconds(2)))
        #expect(scenario.links.isEmpty && scenario.workload.isEmpty)
    }

    @Test func correctsQueryTypeSharesWithinTolerance() throws {
        let yaml = Fixture.base.replacingOccurrences(
            of: "rate: poisson(100/s) }",
            with: "rate: poisson(100/s), qtypes: { A: 33.33%, AAAA: 33.33%, MX: 33.33% } }")
        let scenario = try #require(Fixture.load(yaml))
        #expect(scenario.workload[0].queryTypes.map(\.0) == [.a, .aaaa, .mx])
        #expect(scenario.workload[0].queryTypes.map(\.1) == [333_400, 333_300, 333_300])
    }

    @Test func digestIsFNV1aOfTheBytes() throws {
        let scenario = try #require(Fixture.load(Fixture.base))
        #expect(scenario.sourceDigest == StableHash.fnv1a64(bytes: Fixture.base.utf8))
        let again = try #require(Fixture.load(Fixture.base))
        #expect(again == scenario)
        let other = try #require(Fixture.load(Fixture.base + "# a comment\n"))
        #expect(other.sourceDigest != scenario.sourceDigest)
    }

    @Test func throwingFormMatchesResult() throws {
        let scenario = try ScenarioLoader.scenario(yaml: Fixture.base, file: "s.yaml")
        #expect(scenario.name == "t")
        #expect(throws: ScenarioErrors.self) { try ScenarioLoader.scenario(yaml: "version: 2", file: "s.yaml") }
    }

    @Test func aliasesAreFollowed() throws {
        let yaml = """
            version: 1
            name: alias
            duration: 10s
            sites:
              fsn1: &site { networks: [public, internal] }
              nbg1: *site
            nameservers: [{ name: ns1, site: nbg1 }]
            zones: [z.zone]

            """
        let scenario = try #require(Fixture.load(yaml))
        #expect(scenario.sites.map(\.name) == ["fsn1", "nbg1"])
        #expect(scenario.nameservers[0].networks == ["public", "internal"])
    }

    @Test(arguments: [
        ("30s", 30_000_000_000), ("1m30s", 90_000_000_000), ("1.5ms", 1_500_000), ("2d", 172_800_000_000_000),
    ] as [(String, Int64)])
    func commandLineDurations(text: String, nanoseconds: Int64) {
        #expect(ScenarioLoader.duration(text) == SimDuration(nanoseconds: nanoseconds))
    }

    @Test func commandLineDurationsRejectNonsense() {
        #expect(ScenarioLoader.duration("0s") == nil && ScenarioLoader.duration("fast") == nil)
        #expect(ScenarioLoader.duration("-1s") == nil && ScenarioLoader.duration("10") == nil)
    }

    @Test func errorsAreSortedAndRendered() {
        let errors = ScenarioErrors([
            ScenarioError(file: "a.yaml", line: 3, column: 1, message: "b"),
            ScenarioError(file: "a.yaml", line: 1, column: 9, message: "a"),
            ScenarioError(file: "a.yaml", line: 1, column: 2, message: "c"),
        ])
        #expect(errors.description == "a.yaml:1:2: error: c\na.yaml:1:9: error: a\na.yaml:3:1: error: b")
        #expect(errors.errors[0].position == SourcePosition(line: 1, column: 2))
    }
}
