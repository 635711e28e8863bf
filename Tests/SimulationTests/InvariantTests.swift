import DNSWire
import Determinism
import Scenario
@testable import Simulation
import Testing

/// The invariants a seed sweep checks, and the random faults it draws (issue 9).
@Suite struct InvariantTests {
    let zone = DNSName("test.example.")!
    let other = DNSName("other.example.")!

    @Test func serialsThatGoBackAreFound() {
        let serials: [(zone: DNSName, serial: UInt32, at: Instant)] = [
            (zone, 5, Instant(nanoseconds: 1)), (other, 0xFFFF_FFF0, Instant(nanoseconds: 2)),
            (zone, 6, Instant(nanoseconds: 3)), (zone, 4, Instant(nanoseconds: 4)), (other, 0xFFFF_FFF0, Instant(nanoseconds: 5)),
            // RFC 1982: 0xFFFFFFFF to 1 moves forward.
            (other, 0xFFFF_FFFF, Instant(nanoseconds: 6)), (other, 1, Instant(nanoseconds: 7)),
        ]
        let found = ScenarioRun.regressions(serials, who: "ns2")
        #expect(found == ["ns2: test.example. went from serial 6 back to 4 at 4ns"])
    }

    @Test func randomFaultsStayInsideTheirWindow() {
        var scenario = SimulationSupport.scenario(duration: .seconds(600), seed: 11)
        scenario.randomFaults = RandomFaultSpec(kinds: ["crash", "partition"], meanInterval: .seconds(20),
                                                minimumDuration: .seconds(2), maximumDuration: .seconds(30),
                                                until: .seconds(300))
        let faults = RandomFaults.draw(scenario)
        #expect(faults.count > 5)
        for fault in faults {
            let end = fault.at + (fault.duration ?? .zero)
            #expect(fault.at < .seconds(300) && end <= .seconds(300))
            #expect((fault.duration ?? .zero) <= .seconds(30))
        }
        // The same seed draws the same faults; another seed others.
        #expect(RandomFaults.draw(scenario) == faults)
        scenario.seed = 12
        #expect(RandomFaults.draw(scenario) != faults)
    }

    @Test func aHealthyRunBreaksNothing() throws {
        var runner = ScenarioRun(scenario: SimulationSupport.scenario(), zones: SimulationSupport.zones(), scenarioFile: "test")
        runner.checksInvariants = true
        let outcome = try runner.run()
        #expect(outcome.invariantsChecked == ["answers_match_zones"])
        #expect(outcome.violations.isEmpty)
    }
}
