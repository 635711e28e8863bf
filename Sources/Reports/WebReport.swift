import Determinism
import LabMetrics

/// What the web server and the update clients did, and how long changed addresses took to reach
/// every nameserver (`web` in report.json; docs/report.md).
public struct WebReport: Sendable {
    /// One population of update clients.
    public struct Updaters: Sendable {
        public var name: String
        public var model: String
        public var requests: UInt64 = 0
        public var accepted: UInt64 = 0
        public var unchanged: UInt64 = 0
        public var rejected: UInt64 = 0
        public var failed: UInt64 = 0
        public var exited: UInt64 = 0
        public var ipChanges: UInt64 = 0
        /// From an address change until every nameserver answers the new address.
        public var gap = LatencyHistogram()
        public var unresolved: UInt64 = 0

        public init(name: String, model: String) {
            self.name = name
            self.model = model
        }
    }

    /// An update the client saw acknowledged (`good`/`nochg`) that the database no longer holds,
    /// with no later commit for the host that would explain it. Must stay empty.
    public struct LostUpdate: Sendable {
        public var host: String
        public var value: String
        public var acknowledgedAt: Instant

        public init(host: String, value: String, acknowledgedAt: Instant) {
            self.host = host
            self.value = value
            self.acknowledgedAt = acknowledgedAt
        }
    }

    public var server: String
    public var requests: UInt64 = 0
    public var accepted: UInt64 = 0
    public var unchanged: UInt64 = 0
    public var rejected: UInt64 = 0
    public var failed: UInt64 = 0
    public var committed: UInt64 = 0
    /// Refusals by reason, in `rejectionReasons` order (reasons the component names otherwise go to `other`).
    public var rejectedByReason: [(reason: String, count: UInt64)] = []
    public var gap = LatencyHistogram()
    /// The gap plus the TTL of the replaced record: when a resolver that cached the old answer
    /// just before the change would see the new one.
    public var gapWithTTL = LatencyHistogram()
    public var unresolved: UInt64 = 0
    /// Update requests from send to answer, as the clients saw them.
    public var apiLatency = LatencyHistogram()
    public var integrityErrors: UInt64 = 0
    public var crashes: UInt64 = 0
    public var pushesUnacknowledged: UInt64 = 0
    /// Group commits, and requests that waited for theirs when the web host crashed (never
    /// committed, never answered).
    public var groupCommits: UInt64 = 0
    public var lostWaiting: UInt64 = 0
    public var updaters: [Updaters] = []
    public var lost: [LostUpdate] = []

    public init(server: String) {
        self.server = server
    }
}

extension RunReport {
    var webFigures: [(String, Double)] {
        guard let web else { return [] }
        var result: [(String, Double)] = [
            ("updates.requests", Double(web.requests)), ("updates.accepted", Double(web.accepted)),
            ("updates.unchanged", Double(web.unchanged)), ("updates.rejected", Double(web.rejected)),
            ("updates.failed", Double(web.failed)), ("updates.committed", Double(web.committed)),
            ("updates.lost", Double(web.lost.count)),
            ("reachability_gap.p50", Self.milliseconds(web.gap.value(atPercentile: 50))),
            ("reachability_gap.p99", Self.milliseconds(web.gap.value(atPercentile: 99))),
            ("reachability_gap.max", Self.milliseconds(web.gap.isEmpty ? 0 : web.gap.maximum)),
            ("reachability_gap.unresolved", Double(web.unresolved)),
            ("reachability_gap.ttl.p99", Self.milliseconds(web.gapWithTTL.value(atPercentile: 99))),
            ("api.latency.p50", Self.milliseconds(web.apiLatency.value(atPercentile: 50))),
            ("api.latency.p99", Self.milliseconds(web.apiLatency.value(atPercentile: 99))),
            ("api.latency.max", Self.milliseconds(web.apiLatency.isEmpty ? 0 : web.apiLatency.maximum)),
            ("web.integrity_errors", Double(web.integrityErrors)), ("web.crashes", Double(web.crashes)),
            ("web.pushes_unacknowledged", Double(web.pushesUnacknowledged)),
            ("web.group_commits", Double(web.groupCommits)), ("web.lost_waiting", Double(web.lostWaiting)),
        ]
        for (reason, count) in web.rejectedByReason { result.append(("updates.rejected.\(reason)", Double(count))) }
        for population in web.updaters {
            let p = population.name
            result.append(contentsOf: [
                ("\(p).requests", Double(population.requests)), ("\(p).accepted", Double(population.accepted)),
                ("\(p).unchanged", Double(population.unchanged)), ("\(p).rejected", Double(population.rejected)),
                ("\(p).failed", Double(population.failed)), ("\(p).exited", Double(population.exited)),
                ("\(p).ip_changes", Double(population.ipChanges)),
                ("\(p).reachability_gap.p50", Self.milliseconds(population.gap.value(atPercentile: 50))),
                ("\(p).reachability_gap.p99", Self.milliseconds(population.gap.value(atPercentile: 99))),
                ("\(p).reachability_gap.max", Self.milliseconds(population.gap.isEmpty ? 0 : population.gap.maximum)),
                ("\(p).reachability_gap.unresolved", Double(population.unresolved)),
            ])
        }
        return result
    }

    static func histogramJSON(_ histogram: LatencyHistogram) -> JSONValue {
        .object([
            "count": .integer(Int64(histogram.totalCount)),
            "p50_ms": .number(milliseconds(histogram.value(atPercentile: 50))),
            "p99_ms": .number(milliseconds(histogram.value(atPercentile: 99))),
            "max_ms": .number(milliseconds(histogram.isEmpty ? 0 : histogram.maximum)),
        ])
    }

    var webJSON: JSONValue? {
        guard let web else { return nil }
        var rejected: [String: JSONValue] = [:]
        for (reason, count) in web.rejectedByReason { rejected[reason] = .integer(Int64(count)) }
        let updaters: [JSONValue] = web.updaters.map { population in
            .object([
                "name": .string(population.name), "model": .string(population.model),
                "requests": .integer(Int64(population.requests)), "accepted": .integer(Int64(population.accepted)),
                "unchanged": .integer(Int64(population.unchanged)), "rejected": .integer(Int64(population.rejected)),
                "failed": .integer(Int64(population.failed)), "exited": .integer(Int64(population.exited)),
                "ip_changes": .integer(Int64(population.ipChanges)), "reachability_gap": Self.histogramJSON(population.gap),
                "reachability_unresolved": .integer(Int64(population.unresolved)),
            ])
        }
        let lost: [JSONValue] = web.lost.map { entry in
            .object(["host": .string(entry.host), "value": .string(entry.value),
                     "acknowledged_at_ms": .number(Self.milliseconds(entry.acknowledgedAt.nanoseconds))])
        }
        return .object([
            "server": .string(web.server), "requests": .integer(Int64(web.requests)),
            "accepted": .integer(Int64(web.accepted)), "unchanged": .integer(Int64(web.unchanged)),
            "rejected": .integer(Int64(web.rejected)), "rejected_by_reason": .object(rejected),
            "failed": .integer(Int64(web.failed)), "committed": .integer(Int64(web.committed)),
            "lost": .array(lost), "reachability_gap": Self.histogramJSON(web.gap),
            "reachability_gap_with_ttl": Self.histogramJSON(web.gapWithTTL),
            "reachability_unresolved": .integer(Int64(web.unresolved)), "api_latency": Self.histogramJSON(web.apiLatency),
            "integrity_errors": .integer(Int64(web.integrityErrors)), "crashes": .integer(Int64(web.crashes)),
            "pushes_unacknowledged": .integer(Int64(web.pushesUnacknowledged)),
            "group_commits": .integer(Int64(web.groupCommits)), "lost_waiting": .integer(Int64(web.lostWaiting)),
            "updaters": .array(updaters),
        ])
    }

    var webMarkdown: [String] {
        guard let web else { return [] }
        func ms(_ histogram: LatencyHistogram, _ percentile: Double) -> String {
            RunReport.ms(histogram.value(atPercentile: percentile))
        }
        var lines = [
            "## Web server and updates", "",
            "| requests | accepted | unchanged | rejected | failed | committed | lost | API p50 | API p99 |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            "| \(web.requests) | \(web.accepted) | \(web.unchanged) | \(web.rejected) | \(web.failed) | \(web.committed) | "
                + "\(web.lost.count) | \(ms(web.apiLatency, 50)) | \(ms(web.apiLatency, 99)) |", "",
            "Reachability gap (address change → every nameserver answers it): p50 \(ms(web.gap, 50)), "
                + "p99 \(ms(web.gap, 99)); with the old record's TTL p99 \(ms(web.gapWithTTL, 99)); "
                + "unresolved \(web.unresolved).", "",
            "| updaters | model | requests | accepted | unchanged | rejected | failed | exited | IP changes | gap p99 |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for population in web.updaters {
            lines.append("| \(population.name) | \(population.model) | \(population.requests) | \(population.accepted) | "
                + "\(population.unchanged) | \(population.rejected) | \(population.failed) | \(population.exited) | "
                + "\(population.ipChanges) | \(ms(population.gap, 99)) |")
        }
        let reasons = web.rejectedByReason.filter { $0.count > 0 }.map { "\($0.reason) \($0.count)" }
        if !reasons.isEmpty { lines.append(contentsOf: ["", "Rejected by reason: " + reasons.joined(separator: ", ") + "."]) }
        lines.append("")
        return lines
    }
}
