/// `junit.xml` for a suite, valid against Jenkins' junit-4.xsd (the schema CI servers read; a copy
/// with its provenance is in Tests/RegressionTests/Fixtures).
///
/// One `<testsuite>` per scenario, one `<testcase>` per expectation. A failed expectation is a
/// `<failure>` whose message names the figure, the threshold and the measured value. A scenario
/// that does not load or whose run crashes is one `<testcase>` with an `<error>`; a scenario without
/// expectations is one passing `run` test case, so every scenario shows up in CI.
public enum JUnitReport {
    public static func xml(_ suite: SuiteResult, name: String = "ddnslab") -> String {
        var suites: [String] = []
        var tests = 0
        var failures = 0
        var errors = 0
        for result in suite.scenarios {
            let cases = testCases(result)
            tests += cases.count
            failures += cases.count { $0.kind == .failure }
            errors += cases.count { $0.kind == .error }
            suites.append(suiteXML(result, cases: cases))
        }
        let time = suite.scenarios.reduce(0) { $0 + $1.wallSeconds }
        var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
        lines.append("<testsuites name=\"\(Markup.escape(name))\" tests=\"\(tests)\" failures=\"\(failures)\" "
                     + "errors=\"\(errors)\" time=\"\(seconds(time))\">")
        lines.append(contentsOf: suites)
        lines.append("</testsuites>")
        return lines.joined(separator: "\n") + "\n"
    }

    struct TestCase {
        enum Kind { case pass, failure, error }
        var name: String
        var kind: Kind
        var type: String = ""
        var message: String = ""
        var detail: String = ""
    }

    static func testCases(_ result: ScenarioResult) -> [TestCase] {
        switch result.status {
        case .invalid:
            return [TestCase(name: "load", kind: .error, type: "invalid-scenario",
                             message: firstLine(result.message, otherwise: "the scenario did not load"),
                             detail: result.message)]
        case .crashed:
            return [TestCase(name: "run", kind: .error, type: "crash",
                             message: firstLine(result.message, otherwise: "the run crashed"), detail: result.message)]
        case .passed, .failed:
            let expectations = result.report?.expectations ?? []
            guard !expectations.isEmpty else { return [TestCase(name: "run", kind: .pass)] }
            return expectations.map { expectation in
                let name = "\(expectation.figure) \(expectation.text)"
                guard !expectation.passed else { return TestCase(name: name, kind: .pass) }
                let measured = expectation.value.map { Markup.number($0) } ?? "missing"
                return TestCase(
                    name: name, kind: .failure, type: "expectation",
                    message: "\(expectation.figure): measured \(measured), expected \(expectation.text)",
                    detail: "figure: \(expectation.figure)\nthreshold: \(expectation.text) "
                        + "(\(expectation.comparison) \(Markup.number(expectation.threshold)))\nmeasured: \(measured)\n"
                        + "seed: \(result.report?.seed ?? 0)\nreport: \(result.id)/report.json")
            }
        }
    }

    static func suiteXML(_ result: ScenarioResult, cases: [TestCase]) -> String {
        var lines: [String] = []
        lines.append("  <testsuite name=\"\(Markup.escape(result.id))\" tests=\"\(cases.count)\" "
                     + "failures=\"\(cases.count { $0.kind == .failure })\" errors=\"\(cases.count { $0.kind == .error })\" "
                     + "skipped=\"0\" time=\"\(seconds(result.wallSeconds))\">")
        var properties = [("file", result.file), ("exit_code", "\(result.exitCode)")]
        if let report = result.report {
            properties += [("scenario", report.name), ("seed", "\(report.seed)"), ("report", result.id + "/report.json")]
        }
        lines.append("    <properties>")
        for (key, value) in properties {
            lines.append("      <property name=\"\(Markup.escape(key))\" value=\"\(Markup.escape(value))\"/>")
        }
        lines.append("    </properties>")
        let classname = "ddnslab." + result.id.map { $0 == "/" ? "." : $0 }.reduce(into: "") { $0.append($1) }
        for test in cases {
            let open = "    <testcase name=\"\(Markup.escape(test.name))\" classname=\"\(Markup.escape(classname))\""
            switch test.kind {
            case .pass:
                lines.append(open + "/>")
            case .failure, .error:
                let element = test.kind == .failure ? "failure" : "error"
                lines.append(open + ">")
                lines.append("      <\(element) type=\"\(test.type)\" message=\"\(Markup.escape(test.message))\">"
                             + Markup.escape(test.detail) + "</\(element)>")
                lines.append("    </testcase>")
            }
        }
        lines.append("  </testsuite>")
        return lines.joined(separator: "\n")
    }

    static func firstLine(_ text: String, otherwise: String) -> String {
        let line = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        return line.isEmpty ? otherwise : line
    }

    static func seconds(_ value: Double) -> String { Markup.number(value, decimals: 3) }
}
