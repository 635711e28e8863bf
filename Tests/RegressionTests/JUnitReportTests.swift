import Foundation
import Regression
import Testing

@Suite struct JUnitReportTests {
    static let xmllint = RegressionTestSupport.tool("xmllint")

    @Test func oneTestCasePerExpectationAndErrorsForBrokenScenarios() {
        let xml = JUnitReport.xml(RegressionTestSupport.mixedSuite)
        #expect(xml.contains("<testsuites name=\"ddnslab\" tests=\"5\" failures=\"2\" errors=\"2\""))
        #expect(xml.contains("<testcase name=\"legit.availability &gt;= 99.9%\" classname=\"ddnslab.quickstart\"/>"))
        // The failure names the figure, the threshold and the measured value.
        #expect(xml.contains("message=\"legit.latency.p99: measured 22.561, expected &lt; 1ms\""))
        #expect(xml.contains("figure: legit.latency.p99\nthreshold: &lt; 1ms (&lt; 1)\nmeasured: 22.561"))
        #expect(xml.contains("message=\"server.ns9.queries: measured missing, expected &gt; 0\""))
        #expect(xml.contains("<testsuite name=\"attacks/strict &amp; &lt;odd&gt;\""))
        #expect(xml.contains("classname=\"ddnslab.attacks.strict &amp; &lt;odd&gt;\""))
        #expect(xml.contains("<error type=\"invalid-scenario\" message=\"broken.yaml:3:11: error: expected a duration"))
        #expect(xml.contains("<testcase name=\"run\" classname=\"ddnslab.crash\">\n      <error type=\"crash\" message=\"killed by signal 6\">"))
        // Control characters XML forbids never reach the file.
        #expect(!xml.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    }

    @Test func aScenarioWithoutExpectationsIsOnePassingTestCase() {
        let report = ReportSummary(name: "n", seed: 1, passed: true, expectations: [], figures: [], attackers: [])
        let suite = SuiteResult(scenarios: [ScenarioResult(id: "n", file: "n.yaml", status: .passed, exitCode: 0, report: report)])
        #expect(JUnitReport.xml(suite).contains("<testcase name=\"run\" classname=\"ddnslab.n\"/>"))
    }

    /// Issue 9 point 2: junit.xml validates against the JUnit schema CI servers read.
    @Test(.enabled(if: xmllint != nil, "xmllint is not installed (Debian libxml2-utils; scripts/bootstrap.sh installs it)"),
          arguments: ["junit-4.xsd", "junit-10.xsd"])
    func validatesAgainstTheJenkinsSchema(_ schema: String) throws {
        let file = try RegressionTestSupport.temporaryFile("junit.xml", contents: JUnitReport.xml(RegressionTestSupport.mixedSuite))
        let result = try RegressionTestSupport.run(
            Self.xmllint!, ["--noout", "--schema", RegressionTestSupport.fixtures.appendingPathComponent(schema).path, file.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("validates"))
    }

    @Test(.enabled(if: xmllint != nil, "xmllint is not installed (Debian libxml2-utils; scripts/bootstrap.sh installs it)"))
    func theSchemaCheckCatchesAnInvalidFile() throws {
        let file = try RegressionTestSupport.temporaryFile("junit.xml", contents: "<testsuites><testsuite/></testsuites>\n")
        let result = try RegressionTestSupport.run(
            Self.xmllint!, ["--noout", "--schema", RegressionTestSupport.fixtures.appendingPathComponent("junit-4.xsd").path, file.path])
        #expect(result.status != 0)
    }
}
