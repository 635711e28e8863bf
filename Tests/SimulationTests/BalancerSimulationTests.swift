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
}
