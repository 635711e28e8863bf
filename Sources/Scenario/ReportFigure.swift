/// The unit a report figure is measured in; expectation thresholds are stored in it.
public enum FigureUnit: String, Sendable, Hashable, CaseIterable {
    /// A plain number of events (queries, answers, retries).
    case count
    /// A latency in milliseconds.
    case milliseconds
    /// A share in percent (0 to 100).
    case percent
}

/// A figure a run reports and an expectation may test, such as `legit.latency.p99`.
///
/// The catalog is the contract between scenarios (which name figures in `expect`) and the report
/// writer (which must produce every one of them); docs/scenarios.md lists it for users.
public struct ReportFigure: Sendable, Hashable {
    /// The dotted path, e.g. `legit.answers.wrong` or `server.ns1.dropped`.
    public let path: String
    public let unit: FigureUnit

    public init(path: String, unit: FigureUnit) {
        self.path = path
        self.unit = unit
    }

    /// Figures of each resolver population, after its name (`<population>.<suffix>`).
    public static let populationSuffixes: [(suffix: String, unit: FigureUnit)] = [
        ("queries", .count), ("answers.correct", .count), ("answers.wrong", .count), ("answers.timeout", .count),
        ("answers.servfail", .count), ("answers.refused", .count), ("answers.nxdomain", .count),
        ("availability", .percent), ("latency.p50", .milliseconds), ("latency.p90", .milliseconds),
        ("latency.p99", .milliseconds), ("latency.p999", .milliseconds), ("latency.max", .milliseconds),
        ("latency.mean", .milliseconds), ("retries", .count), ("tcp_fallbacks", .count),
        ("connections.opened", .count), ("connections.failed", .count), ("connections.closed_by_server", .count),
    ]

    /// Figures of each nameserver (`server.<name>.<suffix>`).
    public static let serverSuffixes = ["queries", "dropped", "responses"]

    /// Figures of each secondary (`replication.<name>.<suffix>`): the time from a change's commit on
    /// the primary until the secondary serves it, and the changes it never served.
    public static let secondarySuffixes: [(suffix: String, unit: FigureUnit)] = [
        ("lag.p50", .milliseconds), ("lag.p99", .milliseconds), ("lag.max", .milliseconds), ("missing", .count),
        ("differing_records", .count), ("expired_seconds", .count), ("behind_seconds", .count),
    ]

    /// Balancer counters (dnsdist's names with `_` for `-`): `balancers.<counter>` summed over the
    /// balancers, then `balancer.<name>.<counter>` for each.
    public static let balancerCounters = [
        "queries", "responses", "cache_hits", "cache_misses", "dyn_blocked", "rule_drop", "rule_refused",
        "rule_nxdomain", "rule_truncated", "self_answered", "no_policy", "downstream_timeouts", "acl_drops",
        "noncompliant_queries", "forwarded", "tcp_accepted", "tcp_restricted", "tcp_refused_frontend_limit",
        "tcp_refused_client_limit", "tcp_refused_banned", "tcp_closed_receive_timeout", "tcp_closed_max_queries",
        "tcp_closed_max_duration", "tcp_peak",
    ]

    /// Figures of the hoster's edge filter (`edge.<suffix>`), summed over the hosts behind it.
    public static let edgeSuffixes = ["passed", "dropped", "dropped_source_port", "dropped_per_source", "dropped_total_rate"]

    /// Figures of a scenario with attack populations (`attack.<suffix>`), judged on the legitimate
    /// populations during the attack window.
    public static let attackSuffixes: [(suffix: String, unit: FigureUnit)] = [
        ("time_to_detect", .milliseconds), ("time_to_mitigate", .milliseconds), ("queries", .count),
        ("legit.queries", .count), ("legit.availability", .percent), ("legit.refused", .count),
        ("legit.timeouts", .count), ("legit.servfail", .count), ("legit.latency.p99", .milliseconds),
        ("nameserver_qps.baseline", .count), ("nameserver_qps.peak", .count),
        ("nameserver_qps.after_mitigation", .count), ("victim_bytes", .count),
    ]

    /// Figures of the web server and its updates (`updates.…`, `reachability_gap.…`, `api.…`,
    /// `web.…`), when the scenario has a web server.
    public static let webFigures: [(path: String, unit: FigureUnit)] = [
        ("updates.requests", .count), ("updates.accepted", .count), ("updates.unchanged", .count),
        ("updates.rejected", .count), ("updates.failed", .count), ("updates.committed", .count),
        ("updates.lost", .count), ("reachability_gap.p50", .milliseconds), ("reachability_gap.p99", .milliseconds),
        ("reachability_gap.max", .milliseconds), ("reachability_gap.unresolved", .count),
        ("reachability_gap.ttl.p99", .milliseconds), ("api.latency.p50", .milliseconds),
        ("api.latency.p99", .milliseconds), ("api.latency.max", .milliseconds), ("web.integrity_errors", .count),
        ("web.crashes", .count), ("web.pushes_unacknowledged", .count),
    ]

    /// Figures of scheduled backups (`backups.…`), when the scenario has a `backups` section.
    public static let backupFigures = [
        "backups.snapshots", "backups.verified", "backups.failed", "backups.unconfirmed", "backups.pruned",
        "backups.kept", "backups.kept_bytes", "backups.retention_mismatches", "backups.skipped",
    ]

    /// Figures of restore drills (`restore.…`), when the scenario has database faults or restores.
    public static let restoreFigures: [(path: String, unit: FigureUnit)] = [
        ("restore.count", .count), ("restore.failed", .count), ("restore.rpo", .milliseconds),
        ("restore.rto", .milliseconds), ("restore.unrecovered", .count), ("restore.lost_updates", .count),
        ("restore.lost_hosts", .count), ("restore.lost_commits", .count), ("restore.oracle_mismatches", .count),
        ("restore.wrong_hosts", .count), ("restore.wrong_hosts_later", .count), ("restore.lost_still_wrong", .count),
    ]

    /// Reasons an update is refused, each a figure `updates.rejected.<reason>`.
    public static let rejectionReasons = [
        "badauth", "nohost", "notfqdn", "numhost", "abuse", "ratelimit", "budget", "badagent", "badrequest",
        "dnserr", "911", "other",
    ]

    /// Figures of each updater population (`<updaters>.<suffix>`).
    public static let updaterSuffixes: [(suffix: String, unit: FigureUnit)] = [
        ("requests", .count), ("accepted", .count), ("unchanged", .count), ("rejected", .count), ("failed", .count),
        ("exited", .count), ("ip_changes", .count), ("reachability_gap.p50", .milliseconds),
        ("reachability_gap.p99", .milliseconds), ("reachability_gap.max", .milliseconds),
        ("reachability_gap.unresolved", .count),
    ]

    /// Figures of captured traffic replayed through the cluster: `replay.<suffix>` over every replay
    /// source, `<replay>.<suffix>` for each (issue 8).
    public static let replaySuffixes: [(suffix: String, unit: FigureUnit)] = [
        ("queries", .count), ("same", .count), ("different_rcode", .count), ("different_answers", .count),
        ("missing", .count), ("unscored", .count), ("same_ratio", .percent), ("answered_ratio", .percent),
        ("latency.p50", .milliseconds), ("latency.p99", .milliseconds), ("latency.max", .milliseconds),
    ]

    /// Every figure of a scenario with these populations and nameservers, in declaration order:
    /// each population's figures, then each server's, then, when there is a primary,
    /// `replication.changes` and each secondary's figures, then `trace.events`.
    ///
    /// A scenario without a primary reports no replication figures, so its report is unchanged.
    public static func catalog(
        populations: [String], nameservers: [String], primaries: [String] = [], secondaries: [String] = [],
        balancers: [String] = [], attack: Bool = false, edge: Bool = false, web: Bool = false, updaters: [String] = [],
        replays: [String] = [], backups: Bool = false, restores: Bool = false
    ) -> [ReportFigure] {
        var figures: [ReportFigure] = []
        for population in populations {
            for (suffix, unit) in populationSuffixes {
                figures.append(ReportFigure(path: "\(population).\(suffix)", unit: unit))
            }
        }
        for server in nameservers {
            for suffix in serverSuffixes {
                figures.append(ReportFigure(path: "server.\(server).\(suffix)", unit: .count))
            }
        }
        if !primaries.isEmpty {
            figures.append(ReportFigure(path: "replication.changes", unit: .count))
            for secondary in secondaries {
                for (suffix, unit) in secondarySuffixes {
                    figures.append(ReportFigure(path: "replication.\(secondary).\(suffix)", unit: unit))
                }
            }
        }
        if !balancers.isEmpty {
            for counter in balancerCounters { figures.append(ReportFigure(path: "balancers.\(counter)", unit: .count)) }
            for balancer in balancers {
                for counter in balancerCounters {
                    figures.append(ReportFigure(path: "balancer.\(balancer).\(counter)", unit: .count))
                }
            }
        }
        if attack {
            for (suffix, unit) in attackSuffixes { figures.append(ReportFigure(path: "attack.\(suffix)", unit: unit)) }
        }
        if edge {
            for suffix in edgeSuffixes { figures.append(ReportFigure(path: "edge.\(suffix)", unit: .count)) }
        }
        if web {
            for (path, unit) in webFigures { figures.append(ReportFigure(path: path, unit: unit)) }
            for reason in rejectionReasons { figures.append(ReportFigure(path: "updates.rejected.\(reason)", unit: .count)) }
            for population in updaters {
                for (suffix, unit) in updaterSuffixes {
                    figures.append(ReportFigure(path: "\(population).\(suffix)", unit: unit))
                }
            }
        }
        if !replays.isEmpty {
            for prefix in ["replay"] + replays {
                for (suffix, unit) in replaySuffixes { figures.append(ReportFigure(path: "\(prefix).\(suffix)", unit: unit)) }
            }
        }
        if backups {
            for path in backupFigures { figures.append(ReportFigure(path: path, unit: .count)) }
            if restores {
                for (path, unit) in restoreFigures { figures.append(ReportFigure(path: path, unit: unit)) }
            }
        }
        figures.append(ReportFigure(path: "trace.events", unit: .count))
        return figures
    }
}

extension Scenario {
    /// Every figure a run of this scenario reports (see `ReportFigure.catalog`).
    public var figures: [ReportFigure] {
        ReportFigure.catalog(
            populations: workload.map(\.name), nameservers: nameservers.map(\.name),
            primaries: primaries.map(\.name), secondaries: secondaries.map(\.name), balancers: balancers.map(\.name),
            attack: workload.contains { $0.role == .attack }, edge: edge != nil, web: webPart.web != nil,
            updaters: webPart.updaters.map(\.name), replays: replays.map(\.name), backups: backups != nil,
            restores: faults.contains { $0.kind.isDatabaseStep })
    }
}
