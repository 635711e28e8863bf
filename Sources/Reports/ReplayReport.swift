import Determinism
import LabMetrics

/// Captured traffic replayed through the cluster, judged against the capture (`replay` in
/// report.json; docs/report.md): per replay source and per captured client, what it would have seen.
public struct ReplayReport: Sendable {
    /// Queries by how their answers compare with the captured ones (dnsreplay's and respdiff's classes).
    public struct Counts: Sendable, Equatable {
        public var queries: UInt64 = 0
        public var answered: UInt64 = 0
        public var same: UInt64 = 0
        public var differentRCode: UInt64 = 0
        public var differentAnswers: UInt64 = 0
        public var missing: UInt64 = 0
        public var unscored: UInt64 = 0

        public init() {}

        /// Scored queries (the capture holds a response) that got the same answer, in percent; 100 when
        /// none was scored.
        public var sameRatio: Double {
            let scored = same + differentRCode + differentAnswers + missing
            return scored == 0 ? 100 : Double(same) * 100 / Double(scored)
        }

        public var answeredRatio: Double { queries == 0 ? 100 : Double(answered) * 100 / Double(queries) }
    }

    /// A difference, as an example for people.
    public struct Example: Sendable {
        public var client: String
        public var sentAt: Instant
        public var question: String
        public var verdict: String
        public var captured: String
        public var simulated: String

        public init(client: String, sentAt: Instant, question: String, verdict: String, captured: String, simulated: String) {
            self.client = client
            self.sentAt = sentAt
            self.question = question
            self.verdict = verdict
            self.captured = captured
            self.simulated = simulated
        }
    }

    /// One captured client, as simulated.
    public struct Client: Sendable {
        /// The simulated address (the captured one, or its anonymised stand-in).
        public var address: String
        public var counts = Counts()
        /// Simulated answers by RCODE mnemonic, in RCODE order.
        public var rcodes: [(name: String, count: UInt64)] = []
        public var latency = LatencyHistogram(precisionBits: 7)
        /// Per second of send time: [same, different, missing].
        public var seconds: [[UInt64]] = []
        public var examples: [Example] = []

        public init(address: String) {
            self.address = address
        }
    }

    public var name: String
    public var file: String
    public var speed: Double
    public var loop: Bool
    public var total = Counts()
    public var clients: [Client] = []
    public var rcodes: [(name: String, count: UInt64)] = []
    public var latency = LatencyHistogram(precisionBits: 7)
    public var seconds: [[UInt64]] = []
    /// Answers after their query's timeout, and datagrams that matched no query.
    public var late: UInt64 = 0
    public var unmatched: UInt64 = 0

    public init(name: String, file: String, speed: Double, loop: Bool) {
        self.name = name
        self.file = file
        self.speed = speed
        self.loop = loop
    }
}

extension RunReport {
    /// `replay.<figure>` summed over every source, then `<source>.<figure>` for each.
    var replayFigures: [(String, Double)] {
        guard !replays.isEmpty else { return [] }
        var total = ReplayReport.Counts()
        var latency = LatencyHistogram(precisionBits: 7)
        for replay in replays {
            total.add(replay.total)
            latency.merge(replay.latency)
        }
        return Self.replayFigures("replay", total, latency)
            + replays.flatMap { Self.replayFigures($0.name, $0.total, $0.latency) }
    }

    static func replayFigures(_ prefix: String, _ counts: ReplayReport.Counts, _ latency: LatencyHistogram) -> [(String, Double)] {
        [
            ("\(prefix).queries", Double(counts.queries)), ("\(prefix).same", Double(counts.same)),
            ("\(prefix).different_rcode", Double(counts.differentRCode)),
            ("\(prefix).different_answers", Double(counts.differentAnswers)), ("\(prefix).missing", Double(counts.missing)),
            ("\(prefix).unscored", Double(counts.unscored)), ("\(prefix).same_ratio", counts.sameRatio),
            ("\(prefix).answered_ratio", counts.answeredRatio),
            ("\(prefix).latency.p50", milliseconds(latency.value(atPercentile: 50))),
            ("\(prefix).latency.p99", milliseconds(latency.value(atPercentile: 99))),
            ("\(prefix).latency.max", milliseconds(latency.isEmpty ? 0 : latency.maximum)),
        ]
    }
}

extension ReplayReport.Counts {
    public mutating func add(_ other: ReplayReport.Counts) {
        queries += other.queries
        answered += other.answered
        same += other.same
        differentRCode += other.differentRCode
        differentAnswers += other.differentAnswers
        missing += other.missing
        unscored += other.unscored
    }
}
