import DNSWire
import Determinism
import Reports
import Scenario
import Simulation
import Testing

/// The balancer on the simulated network, checked against what real dnsdist did on this machine.
@Suite struct BalancerSimulationTests {
    /// One client behind one balancer with `MaxQPSIP(1000)` + Drop, offered `rate` queries/s for 10 s.
    static func rateLimitScenario(rate: Int) throws -> Scenario {
        try ScenarioLoader.scenario(yaml: """
            version: 1
            name: maxqpsip-\(rate)
            seed: 5
            duration: 10s
            sites:
              dc: { networks: [public, internal], local_latency: 100us }
            nameservers:
              - { name: ns1, site: dc, networks: [internal], capacity: { cores: 8, service_time: 10us, queue: 100000 } }
            balancers:
              - { name: lb1, site: dc }
            dnsdist:
              backends:
                - { address: ns1, health_checks: { qname: test.example., qtype: SOA } }
              query_rules:
                - { name: limit, selector: { type: MaxQPSIP, qps: 1000 }, action: { type: Drop } }
            zones: [test.zone]
            workload:
              - resolvers: { name: client, count: 1, site: dc, rate: "constant(\(rate)/s)", timeout: 500ms, retries: 0 }
            """, file: "maxqpsip.yaml")
    }

    /// Issue 5, point 3: real dnsdist 1.7.3 let about 1,100 queries/s through on average over a 10 s
    /// dnsperf run from one client offered 2,000, 5,000 and 20,000 queries/s (a bucket of 1,000/s
    /// that starts with a burst of 1,000). Ours must be within 10% of that.
    @Test(arguments: [2_000, 5_000, 20_000])
    func maxQPSIPPassesWhatDnsdistPasses(rate: Int) throws {
        let report = SimulationSupport.run(try Self.rateLimitScenario(rate: rate))
        let passed = try #require(report.figure("client.answers.correct"))
        let perSecond = passed / 10
        #expect(abs(perSecond - 1_100) <= 110, "offered \(rate)/s, passed \(perSecond)/s")
        let dropped = try #require(report.figure("balancers.rule_drop"))
        #expect(dropped + passed == Double(rate * 10))
    }

    /// Failover: a backend that dies is marked down after `max_failures` checks and traffic moves;
    /// after it comes back and passes `rise` checks it gets queries again.
    @Test func failoverAndRecovery() throws {
        let scenario = try ScenarioLoader.scenario(yaml: """
            version: 1
            name: failover-test
            seed: 3
            duration: 20s
            sites:
              dc: { networks: [public, internal], local_latency: 100us }
            nameservers:
              - { name: ns1, site: dc, networks: [internal] }
              - { name: ns2, site: dc, networks: [internal] }
            balancers:
              - { name: lb1, site: dc }
            dnsdist:
              backends:
                - { address: ns1, health_checks: { qname: test.example., qtype: SOA, max_failures: 3, rise: 2 } }
                - { address: ns2, health_checks: { qname: test.example., qtype: SOA, max_failures: 3, rise: 2 } }
            zones: [test.zone]
            workload:
              - resolvers: { name: client, count: 100, site: dc, rate: "constant(500/s)", timeout: 500ms, retries: 2 }
            faults:
              - { at: 5s, crash: ns1, for: 5s }
            expect:
              client.availability: ">= 99.9%"
            """, file: "failover.yaml")
        let report = SimulationSupport.run(scenario)
        let events = report.balancers[0].events.filter { $0.subject == "ns1" }
        #expect(events.map(\.kind) == ["backend-down", "backend-up"])
        // Down after three failed checks at 1 s intervals; up after two good ones once it is back.
        #expect(events[0].at >= Instant.zero + .seconds(7) && events[0].at <= Instant.zero + .seconds(9))
        #expect(events[1].at >= Instant.zero + .seconds(11) && events[1].at <= Instant.zero + .seconds(12))
        let ns1 = try #require(report.nameserverLoadByServer.first { $0.name == "ns1" }?.perSecond)
        #expect(ns1[8...9].allSatisfy { $0 == 0 })
        #expect(ns1[13...].contains { $0 > 0 })
        #expect(report.passed)
    }

    /// A DoT stub behind one balancer, 10 ms each way: the first query pays the TCP and TLS 1.3
    /// round trips (60 ms), later ones ride the same connection (20 ms), which the 2 s receive
    /// timeout keeps open between queries 100 ms apart.
    @Test func dotStubPaysOneHandshakeThenReusesItsConnection() throws {
        let scenario = try ScenarioLoader.scenario(yaml: """
            version: 1
            name: dot-stub
            seed: 9
            duration: 5s
            sites:
              dc: { networks: [public, internal], local_latency: 0us }
              home: { networks: [public] }
            links:
              - { between: [home, dc], latency: { base: 10ms } }
            nameservers:
              - { name: ns1, site: dc, networks: [internal] }
            balancers:
              - { name: lb1, site: dc }
            dnsdist:
              backends:
                - { address: ns1, health_checks: { mode: up } }
            zones: [test.zone]
            workload:
              - resolvers: { name: stub, count: 1, site: home, transport: dot, rate: "constant(10/s)", names: uniform }
            """, file: "dot.yaml")
        let report = SimulationSupport.run(scenario)
        let stub = report.classes[0]
        #expect(stub.availabilityPercent == 100)
        #expect(stub.connections.first { $0.name == "opened" }?.value == 1)
        #expect(stub.latency.minimum >= 20_000_000 && stub.latency.minimum < 21_000_000)
        #expect(stub.latency.maximum >= 60_000_000 && stub.latency.maximum < 61_000_000)
        #expect(report.balancers[0].counter("tcp-accepted") == 1)
    }

    /// Idle DoH connections from a few addresses fill a small frontend unless a per-client cap
    /// stops them: with the cap, the stubs are never refused; without it, they are.
    @Test func perClientCapKeepsIdleConnectionsFromStarvingStubs() throws {
        func run(cap: Int) throws -> RunReport {
            let scenario = try ScenarioLoader.scenario(yaml: """
                version: 1
                name: idle-doh
                seed: 10
                duration: 20s
                sites:
                  dc: { networks: [public, internal], local_latency: 100us }
                nameservers:
                  - { name: ns1, site: dc, networks: [internal] }
                balancers:
                  - { name: lb1, site: dc }
                dnsdist:
                  binds:
                    - { listen_address: "0.0.0.0:443", protocol: DoH, tcp: { max_concurrent_connections: 200 }, doh: { idle_timeout: 2 } }
                  tuning: { tcp: { max_connections_per_client: \(cap) } }
                  backends:
                    - { address: ns1, health_checks: { mode: up } }
                zones: [test.zone]
                workload:
                  - resolvers: { name: stub, count: 50, site: dc, transport: doh, rate: "poisson(50/s)" }
                  - resolvers:
                      name: idlers
                      role: attack
                      count: 10
                      site: dc
                      transport: doh
                      rate: "constant(0/s)"
                      hold_connections: { per_client: 50 }
                      start: 5s
                      stop: 15s
                """, file: "idle.yaml")
            return SimulationSupport.run(scenario)
        }
        let capped = try run(cap: 10)
        let open = try run(cap: 0)
        func connections(_ report: RunReport, _ population: String, _ name: String) -> UInt64 {
            report.classes.first { $0.name == population }?.connections.first { $0.name == name }?.value ?? 0
        }
        #expect(connections(capped, "stub", "failed") == 0)
        #expect(connections(capped, "idlers", "held_peak") <= 100)
        #expect(capped.balancers[0].counter("tcp-refused-client-limit") > 0)
        #expect(capped.balancers[0].counter("tcp-refused-frontend-limit") == 0)
        #expect(connections(open, "stub", "failed") > 0)
        #expect(open.balancers[0].counter("tcp-refused-frontend-limit") > 0)
        #expect(connections(open, "idlers", "held_peak") > 100)
    }

    /// A reflected flood from port 123 overwhelms a small balancer unless the hoster's edge
    /// filter drops it; a direct flood is cut to the per-source rate.
    @Test func edgeFilterKeepsAReflectedFloodOffTheBalancer() throws {
        func run(edge: Bool) throws -> RunReport {
            let scenario = try ScenarioLoader.scenario(yaml: """
                version: 1
                name: edge-test
                seed: 12
                duration: 10s
                sites:
                  dc: { networks: [public, internal], local_latency: 100us }
                  internet: { networks: [public] }
                links:
                  - { between: [internet, dc], latency: { base: 5ms } }
                nameservers:
                  - { name: ns1, site: dc, networks: [internal] }
                balancers:
                  - { name: lb1, site: dc, capacity: { cores: 1, service_time: 1ms, queue: 200 } }
                dnsdist:
                  backends:
                    - { address: ns1, health_checks: { mode: up } }
                \(edge ? "edge: { drop_source_ports: [123], max_pps_per_source: 50 }" : "")
                zones: [test.zone]
                workload:
                  - resolvers: { name: legit, count: 100, site: internet, rate: "constant(200/s)", timeout: 500ms, retries: 1 }
                  - resolvers: { name: ntp, role: attack, count: 50, site: internet, rate: "constant(3000/s)", malformed: 100%,
                                 source_port: 123, start: 2s, stop: 7s }
                  - resolvers: { name: direct, role: attack, count: 1, site: internet, rate: "constant(400/s)", malformed: 100%,
                                 start: 2s, stop: 7s }
                """, file: "edge.yaml")
            return SimulationSupport.run(scenario)
        }
        let filtered = try run(edge: true)
        let open = try run(edge: false)
        #expect(filtered.classes[0].availabilityPercent == 100)
        #expect(open.classes[0].availabilityPercent < 90)
        let entry = try #require(filtered.edge.first)
        #expect(entry.name == "lb1")
        #expect(entry.droppedSourcePort >= 15_000 && entry.droppedSourcePort <= 15_001)
        // 400/s from one source against 50/s with one second of burst, for 5 s: 300 pass.
        #expect(entry.droppedPerSource >= 1_699 && entry.droppedPerSource <= 1_701, "\(entry.droppedPerSource)")
        // Legitimate clients (2 queries/s each) and the backend's answers are never dropped.
        #expect(entry.passed >= 2_290)
        #expect(open.edge.isEmpty)
        #expect(filtered.figure("edge.dropped") == Double(entry.dropped))
    }

    /// `use_tcp: true`: each probe opens its own connection to the backend; the backend stays up
    /// while it answers over TCP, goes down when it crashes and comes back after.
    @Test func tcpHealthChecksFollowTheBackend() throws {
        let scenario = try ScenarioLoader.scenario(yaml: """
            version: 1
            name: tcp-probes
            seed: 4
            duration: 20s
            sites:
              dc: { networks: [public, internal], local_latency: 100us }
            nameservers:
              - { name: ns1, site: dc, networks: [internal] }
              - { name: ns2, site: dc, networks: [internal] }
            balancers:
              - { name: lb1, site: dc }
            dnsdist:
              backends:
                - { address: ns1, health_checks: { qname: test.example., qtype: SOA, use_tcp: true, max_failures: 3, rise: 2 } }
                - { address: ns2, health_checks: { qname: test.example., qtype: SOA, use_tcp: true } }
            zones: [test.zone]
            workload:
              - resolvers: { name: client, count: 100, site: dc, rate: "constant(200/s)", timeout: 500ms, retries: 2 }
            faults:
              - { at: 5s, crash: ns1, for: 5s }
            """, file: "tcp-probes.yaml")
        let report = SimulationSupport.run(scenario)
        #expect(report.balancers[0].events.filter { $0.subject == "ns2" }.isEmpty)
        let ns1 = report.balancers[0].events.filter { $0.subject == "ns1" }
        #expect(ns1.map(\.kind) == ["backend-down", "backend-up"])
        #expect(ns1.first.map { $0.at >= Instant.zero + .seconds(7) && $0.at <= Instant.zero + .seconds(9) } == true)
        #expect(report.classes[0].availabilityPercent >= 99.9)
    }
}
