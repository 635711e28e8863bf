import Determinism
import LabMetrics

extension RunReport {
    /// Every figure an expectation can name, with its value in the figure's unit (milliseconds for
    /// latencies, percent for availability, plain counts otherwise), in a stable order.
    public var figures: [(path: String, value: Double)] {
        var result: [(String, Double)] = []
        for report in classes {
            let p = report.name
            result.append(("\(p).queries", Double(report.completed)))
            for outcome in QueryOutcome.allCases {
                result.append(("\(p).answers.\(outcome.name)", Double(report.outcomes[outcome, default: 0])))
            }
            result.append(("\(p).answers.nxdomain", Double(report.nxdomain)))
            result.append(("\(p).availability", report.availabilityPercent))
            for (name, percentile) in Self.percentiles {
                result.append(("\(p).latency.\(name)", Self.milliseconds(report.latency.value(atPercentile: percentile))))
            }
            result.append(("\(p).latency.max", Self.milliseconds(report.latency.isEmpty ? 0 : report.latency.maximum)))
            result.append(("\(p).latency.mean", Self.milliseconds(report.latency.mean)))
            result.append(("\(p).retries", Double(report.retries)))
            result.append(("\(p).tcp_fallbacks", Double(report.tcpFallbacks)))
            for name in ["opened", "failed", "closed_by_server"] {
                result.append(("\(p).connections.\(name)", Double(report.connections.first { $0.name == name }?.value ?? 0)))
            }
        }
        for server in servers {
            result.append(("server.\(server.name).queries", Double(server.received)))
            result.append(("server.\(server.name).responses", Double(server.responses)))
            result.append(("server.\(server.name).dropped", Double(server.dropped.values.reduce(0, +))))
        }
        if !replication.isEmpty || changesCommitted > 0 { result.append(("replication.changes", Double(changesCommitted))) }
        for entry in replication {
            let prefix = "replication.\(entry.secondary)"
            result.append(("\(prefix).lag.p50", Self.milliseconds(entry.lag.value(atPercentile: 50))))
            result.append(("\(prefix).lag.p99", Self.milliseconds(entry.lag.value(atPercentile: 99))))
            result.append(("\(prefix).lag.max", Self.milliseconds(entry.lag.isEmpty ? 0 : entry.lag.maximum)))
            result.append(("\(prefix).missing", Double(entry.missing)))
            result.append(("\(prefix).differing_records", Double(entry.differingRecords)))
            result.append(("\(prefix).expired_seconds", Double(entry.expired.nanoseconds) / 1e9))
            result.append(("\(prefix).behind_seconds", Double(entry.behind.nanoseconds) / 1e9))
        }
        result.append(contentsOf: balancerFigures)
        result.append(contentsOf: attackFigures)
        result.append(contentsOf: edgeFigures)
        result.append(contentsOf: webFigures)
        result.append(contentsOf: replayFigures)
        result.append(contentsOf: backupFigures)
        result.append(("trace.events", Double(traceEvents)))
        return result
    }

    static let percentiles: [(String, Double)] = [("p50", 50), ("p90", 90), ("p99", 99), ("p999", 99.9)]

    static func milliseconds(_ nanoseconds: UInt64) -> Double { Double(nanoseconds) / 1_000_000 }

    /// The value of one figure, nil when the report has no such figure.
    public func figure(_ path: String) -> Double? {
        figures.first { $0.path == path }?.value
    }
}
