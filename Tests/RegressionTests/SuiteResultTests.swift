import HTTPWire
import Regression
import Reports
import Testing

@Suite struct SuiteResultTests {
    static let report = """
        {"schema": "ddnslab.report/1", "scenario": {"name": "balancer"}, "seed": 11, "passed": false,
         "attack": {"attackers": ["bots"]},
         "figures": {"legit.latency.p99": 12.5, "balancers.cache_hits": 900},
         "expectations": [{"figure": "legit.latency.p99", "op": "<", "threshold": 10, "text": "< 10ms",
                           "value": 12.5, "passed": false}]}
        """

    @Test func classifiesChildExits() {
        let failed = ScenarioResult.classify(id: "b", file: "b.yaml", exitCode: 1, signalled: false, stderr: "",
                                             reportText: Self.report, wallSeconds: 1)
        #expect(failed.status == .failed)
        #expect(failed.report?.seed == 11)
        #expect(failed.report?.attackers == ["bots"])
        #expect(failed.report?.figures == [FigureValue("balancers.cache_hits", 900), FigureValue("legit.latency.p99", 12.5)])
        let invalid = ScenarioResult.classify(id: "b", file: "b.yaml", exitCode: 2, signalled: false,
                                              stderr: "b.yaml:1:1: error: x\n", reportText: nil, wallSeconds: 0)
        #expect(invalid.status == .invalid)
        #expect(invalid.message == "b.yaml:1:1: error: x")
        #expect(ScenarioResult.classify(id: "b", file: "b", exitCode: 3, signalled: false, stderr: "", reportText: nil,
                                        wallSeconds: 0).status == .crashed)
        let signalled = ScenarioResult.classify(id: "b", file: "b", exitCode: 9, signalled: true, stderr: "",
                                                reportText: Self.report, wallSeconds: 0)
        #expect(signalled.status == .crashed)
        #expect(signalled.exitCode == 137)
        // Exit 0 with no report, or an unreadable one, is a crash, not a pass.
        #expect(ScenarioResult.classify(id: "b", file: "b", exitCode: 0, signalled: false, stderr: "", reportText: nil,
                                        wallSeconds: 0).status == .crashed)
        #expect(ScenarioResult.classify(id: "b", file: "b", exitCode: 0, signalled: false, stderr: "", reportText: "{}",
                                        wallSeconds: 0).status == .crashed)
    }

    @Test func theWorstScenarioDecidesTheExitCode() {
        func suite(_ statuses: [ScenarioResult.Status]) -> SuiteResult {
            SuiteResult(scenarios: statuses.enumerated().map {
                ScenarioResult(id: "\($0.offset)", file: "f", status: $0.element, exitCode: 0)
            })
        }
        #expect(suite([.passed, .passed]).exitCode == 0)
        #expect(suite([.passed, .failed]).exitCode == 1)
        #expect(suite([.failed, .invalid]).exitCode == 2)
        #expect(suite([.invalid, .crashed, .failed]).exitCode == 3)
    }

    @Test func theIndexRoundTripsThroughCompareInputAndHoldsNoWallTime() throws {
        let suite = RegressionTestSupport.mixedSuite
        let text = suite.indexJSON.text
        #expect(!text.contains("wall"))
        #expect(!text.contains("1.25"))
        let scenarios = try SuiteIndex.scenarios(from: text)
        #expect(scenarios.map(\.id) == ["quickstart", "attacks/strict & <odd>", "broken", "crash"])
        #expect(scenarios.map(\.status) == [.passed, .failed, .invalid, .crashed])
        #expect(scenarios[0].figures == [FigureValue("legit.latency.p99", 22.5)])
        // A single report is a suite of one, named after its scenario.
        let single = try SuiteIndex.scenarios(from: Self.report)
        #expect(single.map(\.id) == ["balancer"])
        #expect(throws: RegressionInputError.self) { try SuiteIndex.scenarios(from: "{\"schema\": \"other\"}") }
    }

    @Test func summaryTableListsEveryScenarioAndEveryFailure() {
        let table = SuiteSummary.table(RegressionTestSupport.mixedSuite)
        #expect(table.contains("quickstart              pass     1/1           42    1.3 s"))
        #expect(table.contains("FAIL attacks/strict & <odd>: legit.latency.p99 = 22.561, expected < 1ms"))
        #expect(table.contains("INVALID broken: broken.yaml:3:11: error"))
        #expect(table.hasSuffix("4 scenarios: 1 passed, 1 failed, 1 invalid, 1 crashed\n"))
        let html = SuiteSummary.html(RegressionTestSupport.mixedSuite, htmlReports: true)
        #expect(html.contains("<a href=\"quickstart/report.html\">report</a>"))
        #expect(html.contains("attacks/strict &amp; &lt;odd&gt;"))
        #expect(!html.contains("http://") && !html.contains("https://"))
    }
}
