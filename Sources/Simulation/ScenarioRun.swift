import DNSZone
import Determinism
import LabMetrics
import PcapReplay
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
    /// Keep every delivery as a `WireRecord` in the outcome (`--pcap-out`).
    public var recordWire = false
    /// Check the invariants after the run (`Invariants`; seed sweeps).
    public var checksInvariants = false
    /// A deliberate bug switched on, so that a sweep can show it finds one (tests only).
    public var injectedBug: InjectedBug?
    /// Fault points switched on (seed sweeps; none in normal runs).
    public var faultPoints: Set<FaultPoint> = []
    /// The plan of each `replay` item of the scenario, in order (the CLI reads the captures).
    public var replayPlans: [ReplayPlan] = []

    public init(scenario: Scenario, zones: ZoneSet, scenarioFile: String, recordTrace: Bool = false) {
        self.scenario = scenario
        self.zones = zones
        self.scenarioFile = scenarioFile
        self.recordTrace = recordTrace
        let longest = (scenario.workload.map { $0.timeout * Int64($0.retries + 1) } + scenario.replays.map(\.timeout))
            .max() ?? .zero
        drain = longest
    }

    /// What a finished run produced.
    public struct Outcome {
        public var report: RunReport
        public var traceLines: [String]
        public var eventsProcessed: UInt64
        /// Every delivery, when `recordWire` was on.
        public var wire: [WireRecord] = []
        /// With `checksInvariants`: the invariants that applied, and what broke.
        public var invariantsChecked: [String] = []
        public var violations: [InvariantViolation] = []
    }

    /// Runs the scenario; `progress` is called now and then with (simulated instant, events so far).
    public func run(progress: (Instant, UInt64) -> Void = { _, _ in }) throws(BuildError) -> Outcome {
        var builder = ClusterBuilder(scenario: scenario, zones: zones, workFolder: workFolder)
        builder.injectedBug = injectedBug
        builder.faultPoints = faultPoints
        builder.replayPlans = replayPlans
        var (simulator, built) = try builder
            .build(recordTrace: recordTrace)
        simulator.recordsWire = recordWire
        let end = Instant.zero + scenario.duration + drain
        var backups = BackupDriver(scenario: scenario, built: built, folder: workFolder.map { $0 + "/backups" })
        if var driver = backups {
            driver.run(&simulator, until: end, progressEvery: 1 << 18, progress: progress)
            backups = driver
        } else {
            simulator.run(until: end, progressEvery: 1 << 18, progress: progress)
        }
        var report = makeReport(simulator, built)
        // The web server's database as it is at the end (a restore replaces it; lost, there is none).
        let webStore = backups?.outage == nil ? simulator.host.webs.first?.store : nil
        addWeb(to: &report, simulator, built, store: builder.webSetup == nil ? nil : webStore)
        addReplays(to: &report, simulator)
        report.backups = backups?.report
        report.expectations = scenario.expectations.map { expectation in
            let value = report.figure(expectation.figure)
            return RunReport.ExpectationResult(
                figure: expectation.figure, comparison: expectation.comparison.rawValue, threshold: expectation.threshold,
                text: expectation.text, value: value, passed: value.map(expectation.holds) ?? false)
        }
        var outcome = Outcome(
            report: report, traceLines: simulator.trace.lines, eventsProcessed: simulator.eventsProcessed,
            wire: simulator.wireRecords)
        if checksInvariants {
            (outcome.invariantsChecked, outcome.violations) = checkInvariants(report, simulator, built)
        }
        return outcome
    }

    private func makeReport(_ simulator: Simulator<ClusterHost>, _ built: BuiltCluster) -> RunReport {
        let classes = built.populations.enumerated().map { index, entry -> RunReport.ClassReport in
            let (name, _) = entry
            let node = simulator.host.populations[index]
            let metrics = node.population.metrics
            var outcomes: [QueryOutcome: UInt64] = [:]
            for outcome in QueryOutcome.allCases { outcomes[outcome] = metrics.count(outcome) }
            var report = RunReport.ClassReport(
                name: name, sent: metrics.sent, outcomes: outcomes, nxdomain: metrics.nxdomain,
                unfinished: UInt64(node.population.outstanding), latency: metrics.latency, retries: metrics.retries,
                tcpFallbacks: metrics.tcpFallbacks, unmatched: metrics.unmatched, invalid: metrics.invalid,
                series: metrics.series)
            if node.population.config.transport != .udp {
                report.connections = [("opened", metrics.connectionsOpened), ("failed", metrics.connectionsFailed),
                                      ("closed_by_server", metrics.connectionsClosedByServer)]
            }
            if node.population.config.hold != nil {
                report.connections += [
                    ("held_attempts", metrics.heldConnectionAttempts), ("held_refused", metrics.heldConnectionsRefused),
                    ("held_closed_by_server", metrics.heldConnectionsClosedByServer), ("held_peak", metrics.heldConnectionsPeak),
                    ("held_queries", metrics.heldQueries), ("held_answers", metrics.heldAnswers),
                ]
            }
            return report
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
        addBalancers(to: &report, simulator)
        report.edge = built.edge.compactMap { name, node in
            simulator.edgeFilterStats(of: node).map { stats in
                RunReport.EdgeReport(name: name, passed: stats.passed, droppedSourcePort: stats.droppedSourcePort,
                                     droppedPerSource: stats.droppedPerSource, droppedTotalRate: stats.droppedTotalRate)
            }
        }
        return report
    }

    /// Each balancer's counters and timeline, and the attack section when attackers exist.
    private func addBalancers(to report: inout RunReport, _ simulator: Simulator<ClusterHost>) {
        let host = simulator.host
        guard !host.balancers.isEmpty else { return }
        report.nameserverLoad = host.nameserverLoad
        for (index, spec) in scenario.nameservers.enumerated() {
            report.nameserverLoadByServer.append((spec.name, index < host.loadByNode.count ? host.loadByNode[index] : []))
        }
        for node in host.balancers {
            let machine = node.machine
            var cache: [(name: String, value: UInt64)] = []
            let caches = machine.packetCaches
            if !caches.isEmpty {
                let stats = caches.map(\.stats)
                cache = [
                    ("entries", UInt64(caches.reduce(0) { $0 + $1.count })), ("hits", stats.reduce(0) { $0 + $1.hits }),
                    ("misses", stats.reduce(0) { $0 + $1.misses }), ("stale-hits", stats.reduce(0) { $0 + $1.staleHits }),
                    ("insertions", stats.reduce(0) { $0 + $1.insertions }),
                    ("uncacheable", stats.reduce(0) { $0 + $1.uncacheable }),
                    ("skipped-full", stats.reduce(0) { $0 + $1.skippedFull }), ("expunged", stats.reduce(0) { $0 + $1.expunged }),
                ]
            }
            let backends = machine.backends.backends.map { state in
                RunReport.BalancerReport.Backend(
                    name: state.name, queries: state.counters.queries, responses: state.counters.responses,
                    timeouts: state.counters.timeouts, latencyMilliseconds: state.latencyMicros / 1000, upAtEnd: state.isUp)
            }
            let names = machine.backends.backends.map(\.name)
            let events = node.events.map { event -> RunReport.BalancerReport.Event in
                switch event {
                case .backend(let change):
                    return .init(at: change.at, kind: change.up ? "backend-up" : "backend-down",
                                 subject: names.indices.contains(change.backend) ? names[change.backend] : "\(change.backend)",
                                 detail: "\(change.reason)")
                case .dynamicBlock(let block, _):
                    return .init(at: block.at, kind: (block.warning ? "warning-" : "block-") + block.kind.description,
                                 subject: "\(block.key)", detail: "\(block.action) until \(block.until): \(block.reason)")
                }
            }
            report.balancers.append(RunReport.BalancerReport(
                name: node.name, counters: (machine.stats.fields + node.frontends.stats.fields).map { (name: $0.0, value: $0.1) },
                cache: cache,
                backends: backends, events: events))
        }
        report.attack = attackReport(simulator, load: report.nameserverLoad)
    }

    private func attackReport(_ simulator: Simulator<ClusterHost>, load: [UInt64]) -> RunReport.AttackReport? {
        let host = simulator.host
        let specs = scenario.workload
        let attackers = specs.indices.filter { specs[$0].role == .attack }
        guard !attackers.isEmpty else { return nil }
        let start = Instant.zero + (attackers.map { specs[$0].start ?? .zero }.min() ?? .zero)
        let end = Instant.zero + (attackers.map { min(specs[$0].stop ?? scenario.duration, scenario.duration) }.max()
            ?? scenario.duration)
        let firstSecond = Int(start.seconds)
        let lastSecond = max(firstSecond, Int((end.nanoseconds + 999_999_999) / 1_000_000_000) - 1)
        // Detection: the first real block on any balancer after the attack began.
        let blocks = host.balancers.flatMap(\.events).compactMap { event -> Instant? in
            guard case .dynamicBlock(let block, _) = event, !block.warning, block.kind == .inserted, block.at >= start
            else { return nil }
            return block.at
        }
        // A connection attack meets its limit when a held connection is first refused or closed.
        let rejections = attackers.compactMap { host.populations[$0].population.metrics.firstHeldRejection }.filter { $0 >= start }
        let detected = (blocks + rejections).min().map { $0 - start }
        // Mitigation: the first second in which at most 10% of the attack's finished queries were answered.
        var attackSeconds: [OutcomeSeries.Second] = []
        var attackQueries: UInt64 = 0
        for index in attackers {
            let series = host.populations[index].population.metrics.series.seconds
            attackQueries += host.populations[index].population.metrics.sent
            for (second, entry) in series.enumerated() {
                if second >= attackSeconds.count { attackSeconds.append(contentsOf: repeatElement(.init(), count: second + 1 - attackSeconds.count)) }
                for outcome in QueryOutcome.allCases { attackSeconds[second].outcomes[outcome.rawValue] += entry.outcomes[outcome.rawValue] }
            }
        }
        var mitigatedSecond: Int?
        if firstSecond <= lastSecond {
            for second in firstSecond...lastSecond where second < attackSeconds.count {
                let outcomes = attackSeconds[second].outcomes
                let finished = outcomes.reduce(0, +)
                let answered = outcomes[QueryOutcome.correct.rawValue] + outcomes[QueryOutcome.wrong.rawValue]
                if finished > 0 && answered * 10 <= finished {
                    mitigatedSecond = second
                    break
                }
            }
        }
        let mitigated = mitigatedSecond.map { Instant(nanoseconds: UInt64($0) * 1_000_000_000) - start }
            ?? rejections.min().map { $0 - start }
        // The legitimate populations during the window.
        var queries: UInt64 = 0, correct: UInt64 = 0, refused: UInt64 = 0, timeouts: UInt64 = 0, servfail: UInt64 = 0
        var latency = LatencyHistogram(precisionBits: 5)
        var victimBytes: UInt64 = 0
        for index in specs.indices where specs[index].role == .legitimate {
            let metrics = host.populations[index].population.metrics
            victimBytes += metrics.unmatchedBytes
            let series = metrics.series.seconds
            guard firstSecond <= lastSecond else { continue }
            for second in firstSecond...lastSecond where second < series.count {
                let outcomes = series[second].outcomes
                queries += outcomes.reduce(0, +)
                correct += outcomes[QueryOutcome.correct.rawValue]
                refused += outcomes[QueryOutcome.refused.rawValue]
                timeouts += outcomes[QueryOutcome.timeout.rawValue]
                servfail += outcomes[QueryOutcome.servfail.rawValue]
                latency.merge(series[second].latency)
            }
        }
        func loadAt(_ second: Int) -> UInt64 { second < load.count ? load[second] : 0 }
        let baselineSeconds = max(0, firstSecond - 1)  // the second before the attack may be partial
        var baselineTotal: UInt64 = 0
        for second in 0..<baselineSeconds { baselineTotal += loadAt(second) }
        let peak = firstSecond <= lastSecond ? (firstSecond...lastSecond).map(loadAt).max() ?? 0 : 0
        var after: UInt64 = 0
        if let mitigatedSecond, mitigatedSecond + 1 <= lastSecond {
            after = ((mitigatedSecond + 1)...lastSecond).map(loadAt).max() ?? 0
        }
        return RunReport.AttackReport(
            attackers: attackers.map { specs[$0].name }, start: start, end: end, timeToDetect: detected,
            timeToMitigate: mitigated, attackQueries: attackQueries, legitimateQueries: queries, legitimateCorrect: correct,
            legitimateRefused: refused, legitimateTimeouts: timeouts, legitimateServfail: servfail, legitimateLatency: latency,
            nameserverBaselineQPS: baselineSeconds > 0 ? Double(baselineTotal) / Double(baselineSeconds) : 0,
            nameserverPeakQPS: peak, nameserverQPSAfterMitigation: after, victimBytes: victimBytes)
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
