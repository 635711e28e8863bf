import Determinism
import LabMetrics

/// ddnslab's version, printed in every report.
public enum BuildInfo {
    public static let version = "0.1.0"
}

/// Everything a run measured, in the shape of `report.json` (documented in docs/report.md).
public struct RunReport: Sendable {
    public struct ClassReport: Sendable {
        public var name: String
        public var sent: UInt64
        public var outcomes: [QueryOutcome: UInt64]
        public var nxdomain: UInt64
        public var unfinished: UInt64
        public var latency: LatencyHistogram
        public var retries: UInt64
        public var tcpFallbacks: UInt64
        public var unmatched: UInt64
        public var invalid: UInt64
        public var series: OutcomeSeries
        /// Connection figures of a population that queries over connections, or holds them open
        /// in an attack (name, value), in a fixed order; empty for UDP populations.
        public var connections: [(name: String, value: UInt64)] = []

        public init(name: String, sent: UInt64, outcomes: [QueryOutcome: UInt64], nxdomain: UInt64, unfinished: UInt64,
                    latency: LatencyHistogram, retries: UInt64, tcpFallbacks: UInt64, unmatched: UInt64, invalid: UInt64,
                    series: OutcomeSeries) {
            self.name = name
            self.sent = sent
            self.outcomes = outcomes
            self.nxdomain = nxdomain
            self.unfinished = unfinished
            self.latency = latency
            self.retries = retries
            self.tcpFallbacks = tcpFallbacks
            self.unmatched = unmatched
            self.invalid = invalid
            self.series = series
        }

        /// Queries with a final outcome.
        public var completed: UInt64 { outcomes.values.reduce(0, +) }

        /// Share of completed queries answered correctly, in percent (100 when nothing completed).
        public var availabilityPercent: Double {
            completed == 0 ? 100 : Double(outcomes[.correct, default: 0]) * 100 / Double(completed)
        }
    }

    public struct ServerReport: Sendable {
        public var name: String
        public var received: UInt64
        public var processed: UInt64
        public var responses: UInt64
        public var dropped: [String: UInt64]
        public var queuedPeak: Int
        public var busyPercent: Double

        public init(name: String, received: UInt64, processed: UInt64, responses: UInt64, dropped: [String: UInt64],
                    queuedPeak: Int, busyPercent: Double) {
            self.name = name
            self.received = received
            self.processed = processed
            self.responses = responses
            self.dropped = dropped
            self.queuedPeak = queuedPeak
            self.busyPercent = busyPercent
        }
    }

    public struct FaultEntry: Sendable {
        public var label: String
        public var start: Instant
        public var end: Instant?
        public init(label: String, start: Instant, end: Instant?) {
            self.label = label
            self.start = start
            self.end = end
        }
    }

    public struct ExpectationResult: Sendable, Equatable {
        public var figure: String
        public var comparison: String
        public var threshold: Double
        public var text: String
        /// nil when the figure is not in the report.
        public var value: Double?
        public var passed: Bool
        public init(figure: String, comparison: String, threshold: Double, text: String, value: Double?, passed: Bool) {
            self.figure = figure
            self.comparison = comparison
            self.threshold = threshold
            self.text = text
            self.value = value
            self.passed = passed
        }
    }

    /// Replication to one secondary (issue 4).
    public struct ReplicationReport: Sendable {
        public var secondary: String
        /// Time from each commit on the primary until this secondary served it (nanoseconds).
        public var lag: LatencyHistogram
        /// Changes this secondary never served before the run ended.
        public var missing: Int
        /// Records that differ between this secondary's copy and the primary's at the end (0: the
        /// same AXFR content).
        public var differingRecords: Int
        /// Time during which one of its zones was past the SOA expire time (answered SERVFAIL).
        public var expired: SimDuration
        /// Time during which it served older data than the primary (from each commit until served).
        public var behind: SimDuration

        public init(secondary: String, lag: LatencyHistogram, missing: Int, differingRecords: Int,
                    expired: SimDuration = .zero, behind: SimDuration = .zero) {
            self.secondary = secondary
            self.lag = lag
            self.missing = missing
            self.differingRecords = differingRecords
            self.expired = expired
            self.behind = behind
        }
    }

    public var scenarioName: String
    public var scenarioFile: String
    public var scenarioDigest: UInt64
    public var seed: UInt64
    public var duration: SimDuration
    public var classes: [ClassReport]
    public var servers: [ServerReport]
    public var faults: [FaultEntry]
    public var traceDigest: String
    public var traceEvents: UInt64
    public var expectations: [ExpectationResult] = []
    /// Changes committed on primaries, and their replication to each secondary.
    public var changesCommitted: Int = 0
    public var replication: [ReplicationReport] = []
    public var balancers: [BalancerReport] = []
    public var attack: AttackReport?
    /// The hoster's edge filter, per host behind it (empty: no `edge` section).
    public var edge: [EdgeReport] = []
    /// The web server, its updates and the reachability of changed addresses (issue 6).
    public var web: WebReport?
    /// Captures replayed through the cluster (issue 8), in scenario order.
    public var replays: [ReplayReport] = []
    /// Scheduled backups of a primary's database (issue 7).
    public var backups: BackupsReport?
    /// Queries reaching all nameservers together, per second of the run (when balancers exist).
    public var nameserverLoad: [UInt64] = []
    /// Per nameserver, in scenario order: where failover and recovery show.
    public var nameserverLoadByServer: [(name: String, perSecond: [UInt64])] = []

    public init(scenarioName: String, scenarioFile: String, scenarioDigest: UInt64, seed: UInt64, duration: SimDuration,
                classes: [ClassReport], servers: [ServerReport], faults: [FaultEntry], traceDigest: String, traceEvents: UInt64) {
        self.scenarioName = scenarioName
        self.scenarioFile = scenarioFile
        self.scenarioDigest = scenarioDigest
        self.seed = seed
        self.duration = duration
        self.classes = classes
        self.servers = servers
        self.faults = faults
        self.traceDigest = traceDigest
        self.traceEvents = traceEvents
    }

    public var passed: Bool { expectations.allSatisfy(\.passed) }
}
