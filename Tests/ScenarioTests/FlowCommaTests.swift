import Testing

@testable import Scenario

/// YAML ends plain scalars at commas inside `{ }` and `[ ]`; the loader says so instead of
/// complaining about the pieces.
@Suite struct FlowCommaTests {
    @Test func valueCutAtACommaIsExplained() {
        let yaml = Fixture.base.replacingOccurrences(
            of: "    latency: 10ms", with: "    latency: { base: 10ms, jitter: lognormal(2ms, 0.6) }")
        #expect(Fixture.errors(yaml) == [
            "s.yaml:9:36: error: 'lognormal(2ms' is cut short at a comma: inside { } or [ ] put such values in quotes, "
                + "like \"lognormal(2ms, …)\"",
        ])
    }

    @Test func everyPieceOfACutValueIsSwallowed() {
        let yaml = Fixture.base.replacingOccurrences(
            of: "rate: poisson(100/s) }", with: "rate: diurnal(1/s, 2/s, 24h) }")
        #expect(Fixture.errors(yaml) == [
            "s.yaml:15:64: error: 'diurnal(1/s' is cut short at a comma: inside { } or [ ] put such values in quotes, "
                + "like \"diurnal(1/s, …)\"",
        ])
    }

    @Test func anUnclosedParenthesisInBlockStyleIsJustMalformed() {
        let yaml = Fixture.base(plus: "random_faults:\n  mean_interval: 5s\n  duration: 1s\n")
            .replacingOccurrences(of: "    latency: 10ms", with: "    latency:\n      base: 10ms\n      jitter: lognormal(2ms")
        #expect(Fixture.errors(yaml) == [
            "s.yaml:11:15: error: expected a distribution like lognormal(2ms, 0.6), found 'lognormal(2ms'",
        ])
    }
}
