import Determinism
import Testing

@testable import Scenario

/// The workload item `replay` (issue 8): keys, defaults, figures and errors.
@Suite struct ReplaySchemaTests {
    static func scenario(_ items: [String], expect: String = "") -> String {
        let legit = "  - resolvers: { name: legit, count: 10, site: internet, rate: poisson(100/s) }\n"
        return Fixture.base.replacingOccurrences(of: legit, with: legit + items.map { $0 + "\n" }.joined()) + expect
    }

    @Test func keysAndDefaultsLoad() throws {
        let yaml = Self.scenario([
            "  - replay: { name: prod, file: cap.pcap, site: internet }",
            "  - replay: { name: fast, file: /abs/cap.pcapng, site: internet, speed: 2.5x, loop: true, targets: [ns2],"
                + " addresses: keep, transport: tcp, start: 5s, timeout: 500ms }",
        ], expect: "expect:\n  replay.same_ratio: \">= 99.9%\"\n  prod.missing: \"== 0\"\n  fast.latency.p99: \"< 50ms\"\n")
        let scenario = try #require(Fixture.load(yaml))
        #expect(scenario.replays.map(\.name) == ["prod", "fast"])
        let prod = scenario.replays[0]
        #expect(prod.file == "cap.pcap" && prod.speedPartsPerMillion == 1_000_000 && !prod.loop)
        #expect(prod.targets == ["ns1", "ns2"] && prod.addresses == .anonymise && prod.transport == .captured)
        #expect(prod.start == .zero && prod.timeout == .seconds(2))
        let fast = scenario.replays[1]
        #expect(fast.speedPartsPerMillion == 2_500_000 && fast.loop && fast.targets == ["ns2"])
        #expect(fast.addresses == .keep && fast.transport == .tcp && fast.start == .seconds(5))
        #expect(fast.timeout == .milliseconds(500))
        #expect(scenario.figures.contains { $0.path == "fast.same_ratio" && $0.unit == .percent })
        #expect(scenario.expectations.map(\.figure) == ["replay.same_ratio", "prod.missing", "fast.latency.p99"])
    }

    @Test func mistakesAreReported() {
        let errors = Fixture.errors(Self.scenario([
            "  - replay: { name: replay, file: a.pcap, site: internet }",
            "  - replay: { name: b, file: a.pcap, site: moon, speed: 0, addresses: scramble, transport: quic }",
            "  - replay: { name: c, site: internet, start: 2m }",
        ]))
        let text = errors.joined(separator: "\n")
        #expect(text.contains("'replay' is reserved"))
        #expect(text.contains("moon"))
        #expect(text.contains("speed 0 is out of range"))
        #expect(text.contains("scramble"))
        #expect(text.contains("quic"))
        #expect(text.contains("'file'"))
        #expect(text.contains("replay start 2m is outside the run"))
    }

    @Test func speedFactors() {
        func ppm(_ text: String) -> UInt64? {
            if case .value(let value) = ValueText.speedFactor(text) { return value }
            return nil
        }
        #expect(ppm("1") == 1_000_000 && ppm("10x") == 10_000_000 && ppm("0.5") == 500_000 && ppm("0.001") == 1_000)
        #expect(ppm("1000") == 1_000_000_000 && ppm("1001") == nil && ppm("0.0001") == nil && ppm("x") == nil)
        #expect(ppm("-1") == nil)
    }
}
