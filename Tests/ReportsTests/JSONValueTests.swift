import Determinism
import LabMetrics
import Reports
import Testing

@Suite struct JSONValueTests {
    @Test func keysAreSortedAndNumbersStable() {
        let value = JSONValue.object([
            "zeta": .integer(1), "alpha": .array([.number(0.1), .number(2), .number(1e-7), .null]),
            "mid": .object(["b": .bool(true), "a": .string("x\"y\n")]),
        ])
        #expect(value.text == """
            {
              "alpha": [
                0.1,
                2,
                0,
                null
              ],
              "mid": {
                "a": "x\\"y\\n",
                "b": true
              },
              "zeta": 1
            }

            """)
    }

    @Test(arguments: [(1.5, "1.5"), (-0.25, "-0.25"), (99.949999, "99.949999"), (1234567.0, "1234567"), (2.0 / 3.0, "0.666667")])
    func numberFormat(value: Double, text: String) {
        #expect(JSONValue.format(value) == text)
    }

    @Test func fewerDecimalsRound() {
        #expect(JSONValue.format(21.086207, decimals: 2) == "21.09")
        #expect(JSONValue.format(100, decimals: 3) == "100")
    }
}

@Suite struct RunReportTests {
    func report(correct: UInt64, timeouts: UInt64) -> RunReport {
        var latency = LatencyHistogram()
        for value in 1...correct { latency.record(value * 1_000_000) }
        let classReport = RunReport.ClassReport(
            name: "legit", sent: correct + timeouts, outcomes: [.correct: correct, .timeout: timeouts], nxdomain: 0,
            unfinished: 0, latency: latency, retries: 0, tcpFallbacks: 0, unmatched: 0, invalid: 0, series: OutcomeSeries())
        return RunReport(scenarioName: "t", scenarioFile: "t.yaml", scenarioDigest: 1, seed: 2, duration: .seconds(10),
                         classes: [classReport], servers: [], faults: [], traceDigest: "00", traceEvents: 5)
    }

    @Test func figuresUseTheirUnits() {
        let r = report(correct: 100, timeouts: 100)
        #expect(r.figure("legit.availability") == 50)
        #expect(abs((r.figure("legit.latency.p50") ?? 0) - 50) <= 0.05, "HDR precision: 0.1%")
        #expect(r.figure("legit.answers.timeout") == 100)
        #expect(r.figure("legit.queries") == 200)
        #expect(r.figure("trace.events") == 5)
        #expect(r.figure("nope") == nil)
    }

    @Test func passedNeedsEveryExpectation() {
        var r = report(correct: 10, timeouts: 0)
        #expect(r.passed)
        r.expectations = [
            .init(figure: "legit.availability", comparison: ">=", threshold: 99, text: ">= 99%", value: 100, passed: true),
            .init(figure: "legit.latency.p99", comparison: "<", threshold: 1, text: "< 1ms", value: 10, passed: false),
        ]
        #expect(!r.passed)
        #expect(r.markdown.contains("**FAIL**"))
        #expect(r.json.text.contains("\"passed\": false"))
    }
}
