import DNSWire
import Determinism
import LabMetrics

/// What one replayed client saw, judged against its capture.
public struct ReplayClientStats: Sendable, Equatable {
    /// One answer that differed from the captured one (or never came).
    public struct Difference: Sendable, Equatable {
        /// When the query was sent.
        public var sentAt: Instant
        /// `name TYPE` of the question.
        public var question: String
        public var verdict: ReplayVerdict
        /// RCODE and answer records, e.g. `NOERROR alice.dyn.example. 60 IN A 192.0.2.101`.
        public var captured: String
        public var simulated: String
    }

    public var queries: UInt64 = 0
    public var answered: UInt64 = 0
    public var same: UInt64 = 0
    public var differentRCode: UInt64 = 0
    public var differentAnswers: UInt64 = 0
    /// Queries the capture answered and the simulation did not.
    public var missing: UInt64 = 0
    /// Queries the capture holds no response for (answered or not here).
    public var unscored: UInt64 = 0
    /// Simulated answers by RCODE value, ascending; unanswered queries are not in it.
    public var rcodes: [(rcode: UInt16, count: UInt64)] = []
    public var latency = LatencyHistogram(precisionBits: 7)
    /// Per second of send time: [same, different, missing] (unscored queries left out).
    public var seconds: [[UInt64]] = []
    public var examples: [Difference] = []

    public init() {}

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.queries == rhs.queries && lhs.answered == rhs.answered && lhs.same == rhs.same
            && lhs.differentRCode == rhs.differentRCode && lhs.differentAnswers == rhs.differentAnswers
            && lhs.missing == rhs.missing && lhs.unscored == rhs.unscored
            && lhs.rcodes.map(\.rcode) == rhs.rcodes.map(\.rcode) && lhs.rcodes.map(\.count) == rhs.rcodes.map(\.count)
            && lhs.latency == rhs.latency && lhs.seconds == rhs.seconds && lhs.examples == rhs.examples
    }

    /// Adds another client's counts (the totals of a replay source).
    public mutating func merge(_ other: ReplayClientStats) {
        queries += other.queries
        answered += other.answered
        same += other.same
        differentRCode += other.differentRCode
        differentAnswers += other.differentAnswers
        missing += other.missing
        unscored += other.unscored
        for entry in other.rcodes { count(rcode: entry.rcode, entry.count) }
        latency.merge(other.latency)
        for (second, counts) in other.seconds.enumerated() {
            for column in counts.indices { add(second: second, column: column, counts[column]) }
        }
    }

    mutating func record(
        query: ReplayQuery, response: [UInt8]?, verdict: ReplayVerdict?, latencyNanoseconds: UInt64?, sentAt: Instant,
        examples: Int
    ) {
        let ours = response.flatMap { try? Message(wire: $0) }
        if let response {
            answered += 1
            if let latencyNanoseconds { latency.record(latencyNanoseconds) }
            count(rcode: ours?.rcode.rawValue ?? Self.rcodeOf(response), 1)
        }
        let second = Int(sentAt.seconds)
        switch verdict {
        case nil: unscored += 1
        case .same?:
            same += 1
            add(second: second, column: 0, 1)
        case .differentRCode?:
            differentRCode += 1
            add(second: second, column: 1, 1)
        case .differentAnswers?:
            differentAnswers += 1
            add(second: second, column: 1, 1)
        case .missing?:
            missing += 1
            add(second: second, column: 2, 1)
        }
        guard let verdict, verdict != .same, self.examples.count < examples else { return }
        let question = (try? Message(wire: query.wire))?.question.map { "\($0.name) \($0.type)" } ?? "(undecodable)"
        self.examples.append(Difference(
            sentAt: sentAt, question: question, verdict: verdict,
            captured: Self.describe(query.capturedResponse), simulated: Self.describe(response)))
    }

    private mutating func count(rcode: UInt16, _ amount: UInt64) {
        if let index = rcodes.firstIndex(where: { $0.rcode == rcode }) {
            rcodes[index].count += amount
        } else {
            rcodes.append((rcode, amount))
            rcodes.sort { $0.rcode < $1.rcode }
        }
    }

    private mutating func add(second: Int, column: Int, _ amount: UInt64) {
        if second >= seconds.count { seconds.append(contentsOf: repeatElement([0, 0, 0], count: second + 1 - seconds.count)) }
        seconds[second][column] += amount
    }

    /// The header's 4-bit RCODE of bytes that do not decode.
    static func rcodeOf(_ bytes: [UInt8]) -> UInt16 { bytes.count >= 4 ? UInt16(bytes[3] & 0x0F) : 0 }

    /// `RCODE record; record` in answer order, or `no answer`.
    static func describe(_ bytes: [UInt8]?) -> String {
        guard let bytes else { return "no answer" }
        guard let message = try? Message(wire: bytes) else { return "undecodable (\(bytes.count) bytes)" }
        let records = message.answers.map { "\($0.name) \($0.ttl) \($0.class) \($0.type) \($0.rdata)" }
        return ([message.rcode.description] + records).joined(separator: " | ")
    }
}
