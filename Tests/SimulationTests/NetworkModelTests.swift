import DNSWire
import Determinism
import LabMetrics
import Reports
import Scenario
import Simulation
import Testing

/// The simulator's models checked against arithmetic (issue 3, "What must hold" 2-4).
@Suite struct NetworkModelTests {
    /// Fixed 20 ms one way, no loss, 100 µs service: every query takes exactly 40.1 ms.
    @Test func latencyIsTheRoundTripPlusServiceTimeExactly() {
        let report = SimulationSupport.run(SimulationSupport.scenario())
        let legit = report.classes[0]
        #expect(legit.completed == 1_000)
        #expect(legit.outcomes[.correct] == 1_000)
        #expect(legit.latency.minimum == 40_100_000)
        #expect(legit.latency.maximum == 40_100_000)
        #expect(legit.retries == 0)
    }

    /// 1% loss each way: an attempt fails with probability q = 1 - 0.99² and is retried; the share
    /// of retried attempts must lie within the binomial 99% bound around q over 100k queries.
    @Test func lossCausesRetriesAtTheConfiguredRate() {
        let scenario = SimulationSupport.scenario(lossPartsPerMillion: 10_000, rate: .constant(perSecond: 10_000),
                                                  duration: .seconds(10), capacity: CapacitySpec(cores: 4, serviceTime: .microseconds(10)))
        let legit = SimulationSupport.run(scenario).classes[0]
        #expect(legit.sent == 100_000)
        let attempts = Double(legit.sent + legit.retries)
        let q = 1 - 0.99 * 0.99
        let share = Double(legit.retries) / attempts
        let bound = 2.576 * (q * (1 - q) / attempts).squareRoot()
        #expect(abs(share - q) <= bound, "retry share \(share), expected \(q) ± \(bound)")
        // With two retries, a query is lost only when three attempts fail: about 8 in a million.
        #expect(legit.outcomes[.timeout, default: 0] <= 5)
    }

    /// A server of capacity C = 1 core / 1 ms = 1,000 q/s offered 2C queues, then drops.
    @Test func overloadQueuesThenDrops() {
        let capacity = CapacitySpec(cores: 1, serviceTime: .milliseconds(1), queueLimit: 100)
        let calm = SimulationSupport.run(SimulationSupport.scenario(rate: .constant(perSecond: 500), capacity: capacity))
        let flooded = SimulationSupport.run(SimulationSupport.scenario(rate: .constant(perSecond: 2_000), capacity: capacity))
        #expect(calm.servers[0].dropped.isEmpty)
        #expect(calm.classes[0].availabilityPercent == 100)
        #expect(flooded.servers[0].queuedPeak == 100)
        #expect(flooded.servers[0].dropped["queue-full", default: 0] > 5_000)
        // A full queue of 100 at 1 ms each adds about 100 ms.
        #expect(flooded.classes[0].latency.value(atPercentile: 50) > 100_000_000)
        #expect(flooded.classes[0].availabilityPercent < 80)
        #expect(flooded.servers[0].busyPercent > calm.servers[0].busyPercent)
    }

    /// A 10 s partition shows as timeouts in exactly the seconds whose queries crossed it.
    @Test func partitionShowsAsTimeoutsInItsWindow() {
        let fault = FaultSpec(at: .seconds(10), duration: .seconds(10),
                              kind: .partition(from: "internet", to: "dc", oneWay: false))
        let scenario = SimulationSupport.scenario(rate: .constant(perSecond: 100), duration: .seconds(30),
                                                  timeout: .seconds(1), retries: 0, faults: [fault])
        let report = SimulationSupport.run(scenario)
        let seconds = report.classes[0].series.seconds
        let timeouts = seconds.map { $0.outcomes[QueryOutcome.timeout.rawValue] }
        for second in 0..<9 { #expect(timeouts[second] == 0, "second \(second)") }
        // Queries sent in the last round trip (40 ms) before the cut lose their answers.
        #expect(timeouts[9] <= 4)
        for second in 10..<20 { #expect(timeouts[second] == 100, "second \(second)") }
        for second in 20..<30 { #expect(timeouts[second] == 0, "second \(second)") }
        #expect(report.faults.map(\.label) == ["partition internet <-> dc"])
        #expect(report.faults[0].start == Instant.zero + .seconds(10))
        #expect(report.faults[0].end == Instant.zero + .seconds(20))
    }

    /// Over UDP without EDNS a large answer comes back truncated and the client retries over TCP.
    @Test func truncationFallsBackToTCP() {
        let scenario = SimulationSupport.scenario(queryTypes: [(.txt, 1_000_000)], edns: 0)
        let legit = SimulationSupport.run(scenario).classes[0]
        #expect(legit.completed == 1_000)
        #expect(legit.tcpFallbacks > 0)
        #expect(legit.outcomes[.wrong, default: 0] == 0)
        #expect(legit.outcomes[.correct, default: 0] == 1_000)
    }

    @Test func sameSeedSameDigestOtherSeedOtherDigest() {
        let a = SimulationSupport.run(SimulationSupport.scenario(lossPartsPerMillion: 5_000, seed: 1))
        let b = SimulationSupport.run(SimulationSupport.scenario(lossPartsPerMillion: 5_000, seed: 1))
        let c = SimulationSupport.run(SimulationSupport.scenario(lossPartsPerMillion: 5_000, seed: 2))
        #expect(a.traceDigest == b.traceDigest)
        #expect(a.json.text == b.json.text)
        #expect(a.traceDigest != c.traceDigest)
    }
}
