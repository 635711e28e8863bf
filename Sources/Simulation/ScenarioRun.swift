import DNSZone
import Determinism
import Metrics
import Reports
import Scenario
import SimNet
import Storage
import Traffic

/// Runs a validated scenario to completion and scores it.
public struct ScenarioRun {
    public let scenario: Scenario
    public let zones: ZoneSet
    public var scenarioFile: String
    public var recordTrace: Bool
    /// Where primaries and secondaries keep their SQLite files; nil keeps them in memory.
    public var workFolder: String?
    /// Answers still in flight at the end get this long to arrive (the longest client timeout).
    public var drain: SimDuration

    public init(scenario: Scenario, zones: ZoneSet, scenarioFile: String, recordTrace: Bool = false) {
        self.scenario = scenario
        self.zones = zones
        self.scenarioFile = scenarioFile
        self.recordTrace = recordTrace
        let longest = scenario.workload.map { $0.timeout * Int64($0.retries + 1) }.max() ?? .zero
        drain = longest
    }

    /// What a finished run produced.
    public struct Outcome {
        public var report: RunReport
        public var traceLines: [String]
        public var eventsProcessed: UInt64
    }

    /// Runs the scenario; `progress` is called now and then with (simulated instant, events so far).
    public func run(progress: (Instant, UInt64) -> Void = { _, _ in }) throws(BuildError) -> Outcome {
        var (simulator, built) = try ClusterBuilder(scenario: scenario, zones: zones, workFolder: workFolder)
            .build(recordTrace: recordTrace)
        let end = Instant.zero + scenario.duration + drain
        simulator.run(until: end, progressEvery: 1 << 18, progress: progress)
        var report = makeReport(simulator, built)
        report.expectations = scenario.expectations.map { expectation in
            let value = report.figure(expectation.figure)
            return RunReport.ExpectationResult(
                figure: expectation.figure, comparison: expectation.comparison.rawValue, threshold: expectation.threshold,
                text: expectation.text, value: value, passed: value.map(expectation.holds) ?? false)
        }
        return Outcome(report: report, traceLines: simulator.trace.lines, eventsProcessed: simulator.eventsProcessed)
    }

    private func makeReport(_ simulator: Simulator<ClusterHost>, _ built: BuiltCluster) -> RunReport {
        let classes = built.populations.enumerated().map { index, entry -> RunReport.ClassReport in
            let (name, _) = entry
            let node = simulator.host.populations[index]
            let metrics = node.population.metrics
            var outcomes: [QueryOutcome: UInt64] = [:]
            for outcome in QueryOutcome.allCases { outcomes[outcome] = metrics.count(outcome) }
            return RunReport.ClassReport(
                name: name, sent: metrics.sent, outcomes: outcomes, nxdomain: metrics.nxdomain,
                unfinished: UInt64(node.population.outstanding), latency: metrics.latency, retries: metrics.retries,
                tcpFallbacks: metrics.tcpFallbacks, unmatched: metrics.unmatched, invalid: metrics.invalid,
                series: metrics.series)
        }
        // Authoritative servers count their responses; primaries and secondaries every message sent.
        let servers = built.nameservers.enumerated().map { index, entry in
            serverReport(entry.0, entry.1, simulator, responses: simulator.host.nameservers[index].server.stats.responses)
        } + built.replicated.map { name, id in serverReport(name, id, simulator, responses: simulator.counters(of: id).sent) }
        let faults = simulator.faultLog.map { RunReport.FaultEntry(label: $0.label, start: $0.started, end: $0.ended) }
        var report = RunReport(
            scenarioName: scenario.name, scenarioFile: scenarioFile, scenarioDigest: scenario.sourceDigest, seed: scenario.seed,
            duration: scenario.duration, classes: classes, servers: servers, faults: faults,
            traceDigest: simulator.trace.digestHex, traceEvents: simulator.trace.eventCount)
        addReplication(to: &report, simulator, built)
        return report
    }

    /// One server's counters: inputs, drops by reason, deepest queue, share of core time used.
    private func serverReport(_ name: String, _ id: NodeID, _ simulator: Simulator<ClusterHost>,
                              responses: UInt64) -> RunReport.ServerReport {
        let totalNanoseconds = Double(max(1, (scenario.duration + drain).nanoseconds))
        let counters = simulator.counters(of: id)
        var dropped: [String: UInt64] = [:]
        for (reason, count) in counters.dropped { dropped[reason.rawValue] = count }
        let cores = Double(max(1, simulator.config(of: id).cores))
        return RunReport.ServerReport(
            name: name, received: counters.received, processed: counters.processed, responses: responses,
            dropped: dropped, queuedPeak: counters.queuedPeak,
            busyPercent: Double(counters.busyNanoseconds) * 100 / (totalNanoseconds * cores))
    }

    /// Lag of every commit to every secondary of its primary, and end-state agreement.
    private func addReplication(to report: inout RunReport, _ simulator: Simulator<ClusterHost>, _ built: BuiltCluster) {
        let host = simulator.host
        report.changesCommitted = host.primaries.reduce(0) { $0 + $1.commits.count }
        for (index, secondary) in host.secondaries.enumerated() {
            let primaryIndex = built.secondaryPrimary[index]
            let primary = host.primaries[primaryIndex]
            let end = Instant.zero + scenario.duration + drain
            let result = ReplicationLag.measure(commits: primary.commits, applied: secondary.applied, end: end)
            let differing = ZoneComparison.differingRecords(primary.machine.server.zones, secondary.machine.server.zones)
            let expired = secondary.expired.reduce(SimDuration.zero) { total, window in
                total + ((window.until ?? end) - window.from)
            }
            report.replication.append(RunReport.ReplicationReport(
                secondary: built.secondaryNames[index], lag: result.lag, missing: result.missing, differingRecords: differing,
                expired: expired, behind: result.behind))
        }
    }
}
