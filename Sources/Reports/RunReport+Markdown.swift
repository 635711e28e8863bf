import Determinism
import LabMetrics

extension RunReport {
    /// `summary.md`: what a person reads first.
    public var markdown: String {
        var lines: [String] = []
        lines.append("# \(scenarioName): \(expectations.isEmpty ? "no expectations" : (passed ? "PASSED" : "FAILED"))")
        lines.append("")
        lines.append("Seed \(seed), \(duration) simulated, scenario digest `\(Self.hex(scenarioDigest))`, "
                     + "trace digest `\(traceDigest)` (\(traceEvents) events), ddnslab \(BuildInfo.version).")
        lines.append("")
        lines.append("## Clients")
        lines.append("")
        lines.append("| class | queries | correct | wrong | timeout | servfail | refused | availability | p50 | p99 | p99.9 | max |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for report in classes {
            let latency = report.latency
            let cells = [report.name, "\(report.completed)"]
                + QueryOutcome.allCases.map { "\(report.outcomes[$0, default: 0])" }
                + [JSONValue.format(report.availabilityPercent, decimals: 3) + "%"]
                + [50, 99, 99.9].map { Self.ms(latency.value(atPercentile: $0)) } + [Self.ms(latency.isEmpty ? 0 : latency.maximum)]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        lines.append("")
        lines.append("## Servers")
        lines.append("")
        lines.append("| server | queries | responses | dropped | peak queue | busy |")
        lines.append("|---|---:|---:|---:|---:|---:|")
        for server in servers {
            let dropped = server.dropped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            lines.append("| \(server.name) | \(server.received) | \(server.responses) | \(dropped.isEmpty ? "0" : dropped) | "
                         + "\(server.queuedPeak) | \(JSONValue.format(server.busyPercent, decimals: 1))% |")
        }
        if !replication.isEmpty {
            lines.append("")
            lines.append("## Replication")
            lines.append("")
            lines.append("\(changesCommitted) changes committed.")
            lines.append("")
            lines.append("| secondary | lag p50 | lag p99 | lag max | missing | behind | expired | differing records at the end |")
            lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
            for entry in replication {
                let lag = entry.lag
                lines.append("| \(entry.secondary) | \(Self.ms(lag.value(atPercentile: 50))) | \(Self.ms(lag.value(atPercentile: 99))) | "
                             + "\(Self.ms(lag.isEmpty ? 0 : lag.maximum)) | \(entry.missing) | \(Self.seconds(entry.behind)) | "
                             + "\(Self.seconds(entry.expired)) | "
                             + "\(entry.differingRecords) |")
            }
        }
        if !balancers.isEmpty {
            lines.append("")
            lines.append(contentsOf: balancerMarkdown.dropLast())
        }
        if !edge.isEmpty {
            lines.append("")
            lines.append(contentsOf: edgeMarkdown.dropLast())
        }
        if web != nil {
            lines.append("")
            lines.append(contentsOf: webMarkdown.dropLast())
        }
        if !replays.isEmpty {
            lines.append("")
            lines.append(contentsOf: replayMarkdown.dropLast())
        }
        if backups != nil {
            lines.append("")
            lines.append(contentsOf: backupsMarkdown.dropLast())
        }
        if !faults.isEmpty {
            lines.append("")
            lines.append("## Faults")
            lines.append("")
            for fault in faults {
                lines.append("- \(fault.start) – \(fault.end.map(\.description) ?? "end"): \(fault.label)")
            }
        }
        if !expectations.isEmpty {
            lines.append("")
            lines.append("## Expectations")
            lines.append("")
            lines.append("| figure | expected | measured | result |")
            lines.append("|---|---|---:|---|")
            for result in expectations {
                let measured = result.value.map { JSONValue.format($0, decimals: 3) } ?? "missing"
                lines.append("| `\(result.figure)` | \(result.text) | \(measured) | \(result.passed ? "pass" : "**FAIL**") |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func seconds(_ duration: SimDuration) -> String {
        JSONValue.format(Double(duration.nanoseconds) / 1e9, decimals: 3) + " s"
    }

    static func ms(_ nanoseconds: UInt64) -> String { JSONValue.format(Double(nanoseconds) / 1_000_000, decimals: 2) + " ms" }
}
