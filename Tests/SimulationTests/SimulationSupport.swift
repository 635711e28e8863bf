import DNSWire
import DNSZone
import Determinism
import Reports
import Scenario
import Simulation

/// Builds small scenarios in code for the kernel's model tests.
enum SimulationSupport {
    static let zoneText = """
        $ORIGIN test.example.
        $TTL 300
        @ 3600 IN SOA ns1 hostmaster 1 3600 600 1209600 60
        @ 3600 IN NS ns1
        ns1 IN A 192.0.2.53
        www IN A 192.0.2.80
        www IN AAAA 2001:db8::80
        mail IN A 192.0.2.25
        big IN TXT "\(String(repeating: "x", count: 250))" "\(String(repeating: "y", count: 250))" "\(String(repeating: "z", count: 250))"
        """

    static func zones() -> ZoneSet {
        let loaded = try! ZoneFileParser.load(zoneText, fileName: "test.zone", origin: DNSName("test.example.")!)
        return try! ZoneSet([loaded.zone])
    }

    static func scenario(
        latency: SimDuration = .milliseconds(20), lossPartsPerMillion: UInt32 = 0, rate: RateSpec = .constant(perSecond: 100),
        duration: SimDuration = .seconds(10), capacity: CapacitySpec = CapacitySpec(cores: 1, serviceTime: .microseconds(100)),
        timeout: SimDuration = .seconds(1), retries: Int = 2, faults: [FaultSpec] = [],
        queryTypes: [(RRType, UInt32)] = [(.a, 1_000_000)], edns: UInt32 = 1_000_000, seed: UInt64 = 7
    ) -> Scenario {
        Scenario(
            name: "model-test", seed: seed, duration: duration,
            sites: [Site(name: "internet", networks: ["public"]), Site(name: "dc", networks: ["public", "internal"])],
            links: [Link(between: ("internet", "dc"), latency: LatencySpec(base: latency), lossPartsPerMillion: lossPartsPerMillion)],
            nameservers: [NameserverSpec(name: "ns1", site: "dc", networks: ["public"], capacity: capacity)],
            zoneFiles: [],
            workload: [ResolverPopulationSpec(
                name: "legit", count: 50, site: "internet", targets: ["ns1"], rate: rate, queryTypes: queryTypes,
                zipfExponent: 1.0, nxdomainPartsPerMillion: 0, ednsPartsPerMillion: edns, ednsSizes: [1232],
                timeout: timeout, retries: retries, tcpFallback: true)],
            faults: faults)
    }

    static func run(_ scenario: Scenario) -> RunReport {
        try! ScenarioRun(scenario: scenario, zones: zones(), scenarioFile: "test").run().report
    }
}
