import Determinism
import LabMetrics

extension RunReport {
    /// `report.html`: one self-contained page (inline CSS and SVG, no script, no network) with the
    /// expectations, the clients' figures and the charts — latency percentiles per second on a log
    /// axis, queries per second by outcome per population, queries reaching the nameservers, dynamic
    /// blocks in force — with faults and the attack window shaded. Same report, same bytes.
    public var html: String {
        var body: [String] = []
        let verdict = expectations.isEmpty ? "no expectations" : (passed ? "PASSED" : "FAILED")
        body.append("<h1>\(SVGChart.escape(scenarioName)): <span class=\"\(passed ? "pass" : "fail")\">\(verdict)</span></h1>")
        body.append("<p>Seed \(seed), \(duration) simulated, scenario <code>\(SVGChart.escape(scenarioFile))</code> "
                    + "(digest <code>\(Self.hex(scenarioDigest))</code>), trace digest <code>\(traceDigest)</code> "
                    + "(\(traceEvents) events), ddnslab \(BuildInfo.version).</p>")
        if !expectations.isEmpty { body.append(expectationTable) }
        if !classes.isEmpty { body.append(classTable) }
        if !replication.isEmpty { body.append(replicationTable) }
        if let web { body.append(updatesTable(web)) }
        if let backups { body.append(backupsTable(backups)) }
        body.append("<h2>Charts</h2>")
        let charts = self.charts
        if charts.isEmpty { body.append("<p>No resolver population and no balancer: no per-second series to chart.</p>") }
        body.append(contentsOf: charts.map(\.svg))
        if !faults.isEmpty {
            body.append("<h2>Faults</h2><ul>" + faults.map { fault in
                "<li>\(fault.start) – \(fault.end.map(\.description) ?? "end"): \(SVGChart.escape(fault.label))</li>"
            }.joined() + "</ul>")
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(SVGChart.escape(scenarioName)) — ddnslab report</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1040px}
            table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px}
            td.n{text-align:right;white-space:nowrap}.pass{color:#1a7f37}.fail{color:#cf222e;font-weight:bold}
            svg.chart{display:block;margin:1em 0;font-size:11px}svg .title{font-size:13px;font-weight:bold}
            </style></head><body>
            \(body.joined(separator: "\n"))
            </body></html>

            """
    }

    private var expectationTable: String {
        var rows = ["<h2>Expectations</h2>", "<table><tr><th>figure</th><th>expected</th><th>measured</th><th>result</th></tr>"]
        for result in expectations {
            let measured = result.value.map { JSONValue.format($0, decimals: 3) } ?? "missing"
            rows.append("<tr><td><code>\(SVGChart.escape(result.figure))</code></td><td>\(SVGChart.escape(result.text))</td>"
                        + "<td class=\"n\">\(measured)</td><td class=\"\(result.passed ? "pass" : "fail")\">"
                        + "\(result.passed ? "pass" : "FAIL")</td></tr>")
        }
        return rows.joined(separator: "\n") + "\n</table>"
    }

    private var classTable: String {
        var rows = ["<h2>Clients</h2>", "<table><tr><th>class</th><th>queries</th>"
                    + QueryOutcome.allCases.map { "<th>\($0.name)</th>" }.joined()
                    + "<th>availability</th><th>p50</th><th>p99</th><th>max</th></tr>"]
        for report in classes {
            let latency = report.latency
            let cells = ["\(report.completed)"] + QueryOutcome.allCases.map { "\(report.outcomes[$0, default: 0])" }
                + [JSONValue.format(report.availabilityPercent, decimals: 3) + "%", Self.ms(latency.value(atPercentile: 50)),
                   Self.ms(latency.value(atPercentile: 99)), Self.ms(latency.isEmpty ? 0 : latency.maximum)]
            rows.append("<tr><td>\(SVGChart.escape(report.name))</td>" + cells.map { "<td class=\"n\">\($0)</td>" }.joined() + "</tr>")
        }
        return rows.joined(separator: "\n") + "\n</table>"
    }

    private var replicationTable: String {
        var rows = ["<h2>Replication</h2>", "<p>\(changesCommitted) changes committed on the primary.</p>",
                    "<table><tr><th>secondary</th><th>lag p50</th><th>lag p99</th><th>lag max</th><th>missing</th>"
                    + "<th>behind</th><th>expired</th><th>differing records</th></tr>"]
        for entry in replication {
            let lag = entry.lag
            let cells = [Self.ms(lag.value(atPercentile: 50)), Self.ms(lag.value(atPercentile: 99)),
                         Self.ms(lag.isEmpty ? 0 : lag.maximum), "\(entry.missing)", Self.seconds(entry.behind),
                         Self.seconds(entry.expired), "\(entry.differingRecords)"]
            rows.append("<tr><td>\(SVGChart.escape(entry.secondary))</td>" + cells.map { "<td class=\"n\">\($0)</td>" }.joined() + "</tr>")
        }
        return rows.joined(separator: "\n") + "\n</table>"
    }

    /// The backup cycle's counts, and per restore what it lost and how long recovery took.
    private func backupsTable(_ backups: BackupsReport) -> String {
        let counts: [(String, UInt64)] = [
            ("snapshots", backups.snapshots), ("verified", backups.verified), ("failed", backups.failed),
            ("unconfirmed", backups.unconfirmed), ("skipped", backups.skipped), ("pruned", backups.pruned),
            ("kept", UInt64(backups.kept.count)), ("retention mismatches", backups.retentionMismatches),
        ]
        var rows = ["<h2>Backups</h2>",
                    "<p>Every \(backups.every) of \(SVGChart.escape(backups.host)), ladder "
                    + SVGChart.escape(backups.ladder.joined(separator: ", ")) + (backups.compress ? ", gzip" : "") + ".</p>",
                    "<table><tr>" + counts.map { "<th>\($0.0)</th>" }.joined() + "</tr>",
                    "<tr>" + counts.map { "<td class=\"n\">\($0.1)</td>" }.joined() + "</tr></table>"]
        guard !backups.restores.isEmpty else { return rows.joined(separator: "\n") }
        rows.append("<table><tr><th>restore at</th><th>after</th><th>snapshot</th><th>RPO</th><th>RTO</th>"
                    + "<th>lost updates</th><th>hosts</th><th>wrong at restore</th><th>wrong an hour later</th>"
                    + "<th>of them lost by the restore</th><th>oracle mismatches</th></tr>")
        for restore in backups.restores {
            let snapshot = restore.snapshot.map { "\($0)" + (restore.snapshotAt.map { " (\($0))" } ?? "") }
                ?? "failed: " + (restore.failure ?? "?")
            let cells = [Self.seconds(restore.pointObjective ?? .zero), restore.recovery.map(Self.seconds) ?? "not recovered",
                         "\(restore.lostUpdates.count)", "\(restore.lostHosts)", "\(restore.wrongAtRestore.count)",
                         "\(restore.wrongLater.count)", "\(restore.wrongLater.filter(\.lostByRestore).count)",
                         "\(restore.oracleMismatches.count)"]
            rows.append("<tr><td>\(restore.at)</td><td>\(SVGChart.escape(restore.fault ?? "-"))</td><td>\(SVGChart.escape(snapshot))</td>"
                        + cells.map { "<td class=\"n\">\($0)</td>" }.joined() + "</tr>")
        }
        return rows.joined(separator: "\n") + "\n</table>"
    }

    private func updatesTable(_ web: WebReport) -> String {
        var rows = ["<h2>Updates</h2>",
                    "<p>\(web.requests) requests to \(SVGChart.escape(web.server)): \(web.accepted) accepted, \(web.unchanged) unchanged, "
                    + "\(web.rejected) rejected, \(web.failed) failed; \(web.committed) committed, \(web.lost.count) acknowledged "
                    + "updates lost, \(web.crashes) crashes.</p>",
                    "<table><tr><th>updaters</th><th>model</th><th>requests</th><th>accepted</th><th>rejected</th><th>failed</th>"
                    + "<th>address changes</th><th>reachability gap p50</th><th>p99</th><th>unresolved</th></tr>"]
        for population in web.updaters {
            let gap = population.gap
            let cells = ["\(population.requests)", "\(population.accepted)", "\(population.rejected)", "\(population.failed)",
                         "\(population.ipChanges)", Self.ms(gap.value(atPercentile: 50)), Self.ms(gap.value(atPercentile: 99)),
                         "\(population.unresolved)"]
            rows.append("<tr><td>\(SVGChart.escape(population.name))</td><td>\(SVGChart.escape(population.model))</td>"
                        + cells.map { "<td class=\"n\">\($0)</td>" }.joined() + "</tr>")
        }
        return rows.joined(separator: "\n") + "\n</table>"
    }

    static let palette = ["#0969da", "#bc4c00", "#8250df", "#1a7f37", "#bf3989", "#6e7781", "#0a3069", "#953800"]
    static let outcomeColors: [QueryOutcome: String] = [
        .correct: "#2da44e", .wrong: "#8250df", .timeout: "#cf222e", .servfail: "#fb8500", .refused: "#6e7781",
    ]

    /// Faults and the attack window, shaded on every chart.
    var chartBands: [SVGChart.Band] {
        var bands = faults.map { fault in
            SVGChart.Band(start: Self.seconds(fault.start), end: fault.end.map(Self.seconds) ?? Double(duration.nanoseconds) / 1e9,
                          label: fault.label, color: "#cf222e")
        }
        if let attack {
            bands.append(SVGChart.Band(start: Self.seconds(attack.start), end: Self.seconds(attack.end),
                                       label: "attack: " + attack.attackers.joined(separator: ", "), color: "#fb8500"))
        }
        return bands
    }

    /// Every chart of the page, in page order; ids are stable (`latency`, `outcomes-<class>`, …).
    public var charts: [SVGChart] {
        let length = max(Int((duration.nanoseconds + 999_999_999) / 1_000_000_000),
                         classes.map(\.series.seconds.count).max() ?? 0, nameserverLoad.count)
        let bands = chartBands
        var result: [SVGChart] = []
        if !classes.isEmpty {
            var latency = SVGChart(id: "latency", title: "Latency per second, p50 and p99", unit: "ms, log scale",
                                   seconds: length)
            latency.logarithmic = true
            latency.bands = bands
            for (index, report) in classes.enumerated() {
                let color = Self.palette[index % Self.palette.count]
                let seconds = report.series.seconds
                func percentile(_ p: Double) -> [Double?] {
                    seconds.map { $0.latency.isEmpty ? nil : Self.milliseconds($0.latency.value(atPercentile: p)) }
                }
                latency.lines.append(SVGChart.Line(name: "\(report.name) p50", color: color, values: percentile(50)))
                latency.lines.append(SVGChart.Line(name: "\(report.name) p99", color: color, dashed: true, values: percentile(99)))
            }
            result.append(latency)
        }
        for report in classes {
            var chart = SVGChart(id: "outcomes-\(report.name)", title: "\(report.name): queries per second by outcome",
                                 unit: "queries/s, by the second they were sent", seconds: length)
            chart.stacked = true
            chart.bands = bands
            for outcome in QueryOutcome.allCases {
                chart.lines.append(SVGChart.Line(
                    name: outcome.name, color: Self.outcomeColors[outcome] ?? "#000000",
                    values: report.series.seconds.map { Double($0.outcomes[outcome.rawValue]) }))
            }
            result.append(chart)
        }
        if !nameserverLoad.isEmpty {
            var chart = SVGChart(id: "nameserver-qps", title: "Queries reaching the nameservers", unit: "queries/s", seconds: length)
            chart.bands = bands
            for (index, server) in nameserverLoadByServer.enumerated() {
                chart.lines.append(SVGChart.Line(name: server.name, color: Self.palette[index % Self.palette.count],
                                                 values: server.perSecond.map { Double($0) }))
            }
            result.append(chart)
        }
        if let blocks = blockChart(seconds: length, bands: bands) { result.append(blocks) }
        return result
    }

    /// Dynamic-block entries in force per balancer at the end of each second (inserted or upgraded
    /// from a warning, minus expired), when any block was inserted.
    private func blockChart(seconds: Int, bands: [SVGChart.Band]) -> SVGChart? {
        let adding: Set<String> = ["block-inserted", "block-upgraded-from-warning"]
        guard balancers.contains(where: { $0.events.contains { adding.contains($0.kind) } }) else { return nil }
        var chart = SVGChart(id: "dynamic-blocks", title: "Dynamic blocks in force", unit: "entries", seconds: seconds)
        chart.bands = bands
        for (index, balancer) in balancers.enumerated() {
            var delta = Array(repeating: 0, count: seconds + 1)
            for event in balancer.events {
                let second = min(seconds, Int(event.at.nanoseconds / 1_000_000_000))
                if adding.contains(event.kind) { delta[second] += 1 }
                if event.kind == "block-expired" { delta[second] -= 1 }
            }
            var running = 0
            let values: [Double?] = (0..<seconds).map { second in
                running = max(0, running + delta[second])
                return Double(running)
            }
            chart.lines.append(SVGChart.Line(name: balancer.name, color: Self.palette[index % Self.palette.count], values: values))
        }
        return chart
    }

    static func seconds(_ instant: Instant) -> Double { Double(instant.nanoseconds) / 1e9 }
}
