import Determinism
import Testing

@testable import Scenario

/// The scalar notations, exactly (integer arithmetic for durations and percentages).
@Suite struct ValueTextTests {
    @Test(arguments: [
        ("250ms", 250_000_000), ("1m30s", 90_000_000_000), ("1.5s", 1_500_000_000), ("100us", 100_000),
        ("7ns", 7), ("2h", 7_200_000_000_000), ("1d", 86_400_000_000_000), ("0.000000001s", 1), (".5ms", 500_000),
        ("1h1m1s1ms1us1ns", 3_661_001_001_001), ("+50ms", 50_000_000),
    ] as [(String, Int64)])
    func durations(text: String, nanoseconds: Int64) {
        guard case .value(let duration) = ValueText.duration(text, .positive) else {
            Issue.record("'\(text)' did not parse")
            return
        }
        #expect(duration.nanoseconds == nanoseconds)
    }

    @Test func durationSigns() {
        #expect(value(ValueText.duration("-30s", .signed)) == .seconds(-30))
        #expect(value(ValueText.duration("0s", .nonNegative)) == .zero)
        #expect(isMalformed(ValueText.duration("fast", .positive)) && isMalformed(ValueText.duration("ms", .positive)))
        #expect(isInvalid(ValueText.duration("-1s", .nonNegative)) && isInvalid(ValueText.duration("0s", .positive)))
    }

    @Test(arguments: [
        ("0%", 0), ("100%", 1_000_000), ("0.05%", 500), ("0.0001%", 1), ("3%", 30_000), ("99.9999%", 999_999),
        ("-0%", 0), ("12.50%", 125_000),
    ] as [(String, UInt32)])
    func percentages(text: String, partsPerMillion: UInt32) {
        guard case .value(let value) = ValueText.partsPerMillion(text) else {
            Issue.record("'\(text)' did not parse")
            return
        }
        #expect(value == partsPerMillion)
    }

    @Test(arguments: [(950_000, "95%"), (500, "0.05%"), (1, "0.0001%"), (1_000_000, "100%"), (125_000, "12.5%")])
    func percentText(partsPerMillion: Int, text: String) {
        #expect(ValueText.percentText(partsPerMillion: partsPerMillion) == text)
    }

    @Test func rates() {
        #expect(rate("poisson(5000/s)") == .poisson(perSecond: 5_000))
        #expect(rate("constant(2.5k/s)") == .constant(perSecond: 2_500))
        #expect(rate(" poisson( 0/s ) ") == .poisson(perSecond: 0))
        #expect(rate("ramp(1/s, 0.5/s)") == .ramp(from: 1, to: 0.5))
        #expect(rate("diurnal(1k/s, 2k/s, 1h)")
            == .diurnal(trough: 1_000, peak: 2_000, period: .seconds(3_600), peakAt: .zero))
        #expect(rate("poisson") == nil && rate("poisson(5000/s") == nil && rate("poisson(1e3/s)") == nil)
    }

    private func rate(_ text: String) -> RateSpec? {
        if case .value(let rate) = ValueText.rateSpec(text) { return rate }
        return nil
    }

    @Test func distributions() {
        func parse(_ text: String) -> Distribution? {
            if case .value(let distribution) = ValueText.distribution(text) { return distribution }
            return nil
        }
        #expect(parse("constant(1ms)") == .constant(.milliseconds(1)))
        #expect(parse("uniform(1ms, 2ms)") == .uniform(.milliseconds(1), .milliseconds(2)))
        #expect(parse("exponential(3ms)") == .exponential(mean: .milliseconds(3)))
        #expect(parse("normal(5ms, 1ms)") == .normal(mean: .milliseconds(5), standardDeviation: .milliseconds(1)))
        #expect(parse("lognormal(2ms, 0.6)") == .logNormal(median: .milliseconds(2), sigma: 0.6))
        #expect(parse("pareto(20ms, 1.5)") == .pareto(minimum: .milliseconds(20), alpha: 1.5))
        #expect(parse("uniform(2ms, 1ms)") == nil && parse("lognormal(0s, 1)") == nil)
    }

    @Test func popularity() {
        func parse(_ text: String) -> Double? {
            if case .value(let exponent) = ValueText.popularity(text) { return exponent }
            return nil
        }
        #expect(parse("zipf(1.1)") == 1.1 && parse("zipf(0)") == 0 && parse("uniform") == 0)
        #expect(parse("zipf(-1)") == nil && parse("zipf()") == nil && parse("pareto(1)") == nil)
    }

    @Test(arguments: [
        ("1970-01-01", 0), ("2026-01-01T00:00:00Z", 1_767_225_600), ("2000-02-29T23:59:59Z", 951_868_799),
        ("1969-12-31T23:59:59Z", -1),
    ] as [(String, Int64)])
    func dates(text: String, seconds: Int64) {
        guard case .value(let value) = ValueText.epochSeconds(text) else {
            Issue.record("'\(text)' did not parse")
            return
        }
        #expect(value == seconds)
    }

    @Test func badDates() {
        for text in ["2026-1-01", "2026-01-01T00:00:00", "2026-01-01 00:00:00Z", "yesterday"] {
            #expect(isMalformed(ValueText.epochSeconds(text)), "\(text)")
        }
        #expect(isInvalid(ValueText.epochSeconds("2100-02-29")))
        #expect(isInvalid(ValueText.epochSeconds("2026-01-01T24:00:00Z")))
        #expect(value(ValueText.epochSeconds("2000-02-29")) == 951_782_400)
    }

    @Test func thresholds() throws {
        func value(_ text: String, _ unit: FigureUnit) -> Double? {
            try? ScenarioReader.threshold(text, unit: unit).get().1
        }
        #expect(value("< 60ms", .milliseconds) == 60 && value("<0.5s", .milliseconds) == 500)
        #expect(value("<= 250us", .milliseconds) == 0.25 && value("< 1000000ns", .milliseconds) == 1)
        #expect(value(">= 99.9%", .percent) == 99.9 && value("== 0", .count) == 0)
        #expect(value("> -1", .count) == nil && value("> 1e3", .count) == nil && value("5", .count) == nil)
    }

    @Test func suggestions() {
        #expect(Suggestion.closest(to: "sitez", in: ScenarioReader.topLevelKeys) == "sites")
        #expect(Suggestion.closest(to: "Seed", in: ScenarioReader.topLevelKeys) == "seed")
        #expect(Suggestion.closest(to: "random_fault", in: ScenarioReader.topLevelKeys) == "random_faults")
        #expect(Suggestion.closest(to: "x", in: ScenarioReader.topLevelKeys) == nil)
        #expect(Suggestion.closest(to: "qps", in: ScenarioReader.populationKeys) == nil)
        #expect(Suggestion.editDistance(Array("kitten".unicodeScalars), Array("sitting".unicodeScalars)) == 3)
        #expect(Suggestion.editDistance(Array("fro".unicodeScalars), Array("for".unicodeScalars)) == 1)
    }

    private func value<Value>(_ parsed: Parsed<Value>) -> Value? {
        if case .value(let value) = parsed { return value }
        return nil
    }

    private func isMalformed<Value>(_ parsed: Parsed<Value>) -> Bool {
        if case .malformed = parsed { return true }
        return false
    }

    private func isInvalid<Value>(_ parsed: Parsed<Value>) -> Bool {
        if case .invalid = parsed { return true }
        return false
    }
}
