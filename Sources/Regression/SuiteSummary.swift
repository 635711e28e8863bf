/// The suite's results for people: the terminal table and `index.html`.
public enum SuiteSummary {
    /// One row per scenario (result, expectations held, wall time), then every failed expectation
    /// and every error message, then the totals.
    public static func table(_ suite: SuiteResult) -> String {
        let header = ["scenario", "result", "expectations", "seed", "wall"]
        var rows: [[String]] = []
        for result in suite.scenarios {
            let expectations = result.report?.expectations ?? []
            let held = expectations.count { $0.passed }
            rows.append([
                result.id, label(result.status),
                result.report == nil ? "-" : "\(held)/\(expectations.count)",
                result.report.map { "\($0.seed)" } ?? "-",
                Markup.number(result.wallSeconds, decimals: 1) + " s",
            ])
        }
        var widths = header.map(\.count)
        for row in rows { for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                column == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }
        var lines = [line(header)]
        lines.append(contentsOf: rows.map(line))
        let problems = problemLines(suite)
        if !problems.isEmpty {
            lines.append("")
            lines.append(contentsOf: problems)
        }
        lines.append("")
        lines.append(totals(suite))
        return lines.joined(separator: "\n") + "\n"
    }

    /// `12 scenarios: 10 passed, 1 failed, 1 invalid, 0 crashed`.
    public static func totals(_ suite: SuiteResult) -> String {
        "\(suite.scenarios.count) scenarios: "
            + ScenarioResult.Status.allCases.map { "\(suite.count($0)) \($0.rawValue)" }.joined(separator: ", ")
    }

    static func problemLines(_ suite: SuiteResult) -> [String] {
        var lines: [String] = []
        for result in suite.scenarios {
            switch result.status {
            case .passed: continue
            case .failed:
                for expectation in result.report?.expectations ?? [] where !expectation.passed {
                    let measured = expectation.value.map { Markup.number($0) } ?? "missing"
                    lines.append("FAIL \(result.id): \(expectation.figure) = \(measured), expected \(expectation.text)")
                }
            case .invalid, .crashed:
                let first = JUnitReport.firstLine(result.message, otherwise: "")
                lines.append("\(result.status == .invalid ? "INVALID" : "CRASH") \(result.id): \(first)")
            }
        }
        return lines
    }

    static func label(_ status: ScenarioResult.Status) -> String {
        switch status {
        case .passed: "pass"
        case .failed: "FAIL"
        case .invalid: "INVALID"
        case .crashed: "CRASH"
        }
    }

    /// `index.html`: self-contained (no scripts, no network), a row per scenario linking to its
    /// report files. `htmlReports`: link each scenario's `report.html` too.
    public static func html(_ suite: SuiteResult, htmlReports: Bool) -> String {
        var rows: [String] = []
        for result in suite.scenarios {
            let expectations = result.report?.expectations ?? []
            let failed = expectations.filter { !$0.passed }.map { expectation in
                let measured = expectation.value.map { Markup.number($0) } ?? "missing"
                return Markup.escape("\(expectation.figure) = \(measured), expected \(expectation.text)")
            }
            let detail = result.report == nil ? Markup.escape(JUnitReport.firstLine(result.message, otherwise: ""))
                : failed.joined(separator: "<br>")
            let base = Markup.escape(result.id)
            var links: [String] = []
            if result.report != nil {
                if htmlReports { links.append("<a href=\"\(base)/report.html\">report</a>") }
                links.append("<a href=\"\(base)/summary.md\">summary.md</a>")
                links.append("<a href=\"\(base)/report.json\">report.json</a>")
            }
            let held = result.report == nil ? "" : "\(expectations.count { $0.passed })/\(expectations.count)"
            rows.append("<tr class=\"\(result.status.rawValue)\"><td>\(base)</td><td>\(label(result.status))</td>"
                        + "<td>\(held)</td><td>\(links.joined(separator: " · "))</td><td>\(detail)</td></tr>")
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>ddnslab suite</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2em;color:#222}
            table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
            tr.passed td:nth-child(2){color:#1a7f37}tr.failed td:nth-child(2),tr.invalid td:nth-child(2),
            tr.crashed td:nth-child(2){color:#cf222e;font-weight:bold}
            </style></head><body>
            <h1>ddnslab suite: \(suite.exitCode == 0 ? "passed" : "FAILED")</h1>
            <p>\(Markup.escape(totals(suite))). JUnit: <a href="junit.xml">junit.xml</a>, figures: <a href="index.json">index.json</a>.</p>
            <table><thead><tr><th>scenario</th><th>result</th><th>expectations</th><th>reports</th><th>failures</th></tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody></table>
            </body></html>

            """
    }
}
