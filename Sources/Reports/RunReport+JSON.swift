import Determinism
import LabMetrics

extension RunReport {
    /// `report.json`: schema `ddnslab.report/1` (docs/report.md). No wall-clock values, so two runs of
    /// the same scenario and seed give identical bytes.
    public var json: JSONValue {
        var root: [String: JSONValue] = [
            "schema": .string("ddnslab.report/1"),
            "ddnslab_version": .string(BuildInfo.version),
            "scenario": .object([
                "name": .string(scenarioName), "file": .string(scenarioFile), "digest": .string(Self.hex(scenarioDigest)),
            ]),
            "seed": .integer(Int64(bitPattern: seed)),
            "duration_seconds": .number(Double(duration.nanoseconds) / 1e9),
            "trace": .object(["digest": .string(traceDigest), "events": .integer(Int64(traceEvents))]),
            "passed": .bool(passed),
        ]
        var classObject: [String: JSONValue] = [:]
        var series: [String: JSONValue] = [:]
        for report in classes {
            classObject[report.name] = classJSON(report)
            series[report.name] = seriesJSON(report.series)
        }
        root["classes"] = .object(classObject)
        root["timeseries"] = .object(series)
        var serverObject: [String: JSONValue] = [:]
        for server in servers {
            var dropped: [String: JSONValue] = [:]
            for (reason, count) in server.dropped { dropped[reason] = .integer(Int64(count)) }
            serverObject[server.name] = .object([
                "queries": .integer(Int64(server.received)), "processed": .integer(Int64(server.processed)),
                "responses": .integer(Int64(server.responses)), "dropped": .object(dropped),
                "dropped_total": .integer(Int64(server.dropped.values.reduce(0, +))),
                "queued_peak": .integer(Int64(server.queuedPeak)), "busy_percent": .number(server.busyPercent),
            ])
        }
        root["servers"] = .object(serverObject)
        if !replication.isEmpty || changesCommitted > 0 {
            var secondaries: [String: JSONValue] = [:]
            for entry in replication {
                secondaries[entry.secondary] = .object([
                    "lag_ms": .object([
                        "p50": .number(Self.milliseconds(entry.lag.value(atPercentile: 50))),
                        "p99": .number(Self.milliseconds(entry.lag.value(atPercentile: 99))),
                        "max": .number(Self.milliseconds(entry.lag.isEmpty ? 0 : entry.lag.maximum)),
                        "count": .integer(Int64(entry.lag.totalCount)),
                    ]),
                    "missing": .integer(Int64(entry.missing)), "differing_records": .integer(Int64(entry.differingRecords)),
                    "expired_seconds": .number(Double(entry.expired.nanoseconds) / 1e9),
                    "behind_seconds": .number(Double(entry.behind.nanoseconds) / 1e9),
                ])
            }
            root["replication"] = .object(["changes": .integer(Int64(changesCommitted)), "secondaries": .object(secondaries)])
        }
        if !balancers.isEmpty { root["balancers"] = balancersJSON }
        if let attack = attackJSON { root["attack"] = attack }
        if let edge = edgeJSON { root["edge"] = edge }
        if let web = webJSON { root["web"] = web }
        if let replay = replayJSON { root["replay"] = replay }
        if let backups = backupsJSON { root["backups"] = backups }
        if !nameserverLoad.isEmpty {
            var perServer: [String: JSONValue] = ["all": .array(nameserverLoad.map { .integer(Int64($0)) })]
            for (name, series) in nameserverLoadByServer { perServer[name] = .array(series.map { .integer(Int64($0)) }) }
            root["nameserver_qps"] = .object(perServer)
        }
        root["faults"] = .array(faults.map { fault in
            .object(["label": .string(fault.label), "start_seconds": .number(Double(fault.start.nanoseconds) / 1e9),
                     "end_seconds": fault.end.map { .number(Double($0.nanoseconds) / 1e9) } ?? .null])
        })
        root["figures"] = figuresJSON
        root["expectations"] = .array(expectations.map { result in
            .object(["figure": .string(result.figure), "op": .string(result.comparison),
                     "threshold": .number(result.threshold), "text": .string(result.text),
                     "value": result.value.map { .number($0) } ?? .null, "passed": .bool(result.passed)])
        })
        return .object(root)
    }

    /// Every figure an expectation may name, with its value: what `ddnslab compare` compares.
    var figuresJSON: JSONValue {
        var object: [String: JSONValue] = [:]
        for (path, value) in figures where object[path] == nil { object[path] = .number(value) }
        return .object(object)
    }

    private func classJSON(_ report: ClassReport) -> JSONValue {
        var answers: [String: JSONValue] = [:]
        for outcome in QueryOutcome.allCases { answers[outcome.name] = .integer(Int64(report.outcomes[outcome, default: 0])) }
        answers["nxdomain"] = .integer(Int64(report.nxdomain))
        var latency: [String: JSONValue] = [:]
        for (name, percentile) in Self.percentiles {
            latency[name] = .number(Self.milliseconds(report.latency.value(atPercentile: percentile)))
        }
        latency["max"] = .number(Self.milliseconds(report.latency.isEmpty ? 0 : report.latency.maximum))
        latency["min"] = .number(Self.milliseconds(report.latency.isEmpty ? 0 : report.latency.minimum))
        latency["mean"] = .number(Self.milliseconds(report.latency.mean))
        latency["count"] = .integer(Int64(report.latency.totalCount))
        var object: [String: JSONValue] = [
            "sent": .integer(Int64(report.sent)), "queries": .integer(Int64(report.completed)),
            "unfinished": .integer(Int64(report.unfinished)), "answers": .object(answers),
            "availability_percent": .number(report.availabilityPercent), "latency_ms": .object(latency),
            "retries": .integer(Int64(report.retries)), "tcp_fallbacks": .integer(Int64(report.tcpFallbacks)),
            "unmatched_responses": .integer(Int64(report.unmatched)), "invalid_responses": .integer(Int64(report.invalid)),
        ]
        if !report.connections.isEmpty {
            var connections: [String: JSONValue] = [:]
            for (name, value) in report.connections { connections[name] = .integer(Int64(value)) }
            object["connections"] = .object(connections)
        }
        return .object(object)
    }

    /// One entry per simulated second: queries sent, outcomes completed in that second, p50/p99.
    private func seriesJSON(_ series: OutcomeSeries) -> JSONValue {
        .array(series.seconds.enumerated().map { second, entry in
            var object: [String: JSONValue] = ["t": .integer(Int64(second)), "sent": .integer(Int64(entry.sent))]
            for outcome in QueryOutcome.allCases { object[outcome.name] = .integer(Int64(entry.outcomes[outcome.rawValue])) }
            object["p50_ms"] = .number(Self.milliseconds(entry.latency.value(atPercentile: 50)))
            object["p99_ms"] = .number(Self.milliseconds(entry.latency.value(atPercentile: 99)))
            return .object(object)
        })
    }

    static func hex(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
