/// How a client's query ended, as the oracle judged it (BRIEF.md §6).
public enum QueryOutcome: Int, Sendable, CaseIterable, Comparable {
    /// The answer equals what the zone data says (including a correct NXDOMAIN or NODATA).
    case correct
    /// An answer arrived but differs from the zone data, or the response is not valid for the query.
    case wrong
    /// No answer after all retries.
    case timeout
    case servfail
    case refused

    public var name: String {
        switch self {
        case .correct: "correct"
        case .wrong: "wrong"
        case .timeout: "timeout"
        case .servfail: "servfail"
        case .refused: "refused"
        }
    }

    public static func < (lhs: QueryOutcome, rhs: QueryOutcome) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Per-second counts by outcome and a coarse latency histogram per second, for time-series charts.
public struct OutcomeSeries: Sendable, Equatable {
    public struct Second: Sendable, Equatable {
        public var outcomes: [UInt64] = Array(repeating: 0, count: QueryOutcome.allCases.count)
        public var sent: UInt64 = 0
        /// 5 precision bits: about 3% relative error, enough for a per-second p50/p99 line.
        public var latency = LatencyHistogram(precisionBits: 5)

        public init() {}
    }

    public private(set) var seconds: [Second] = []

    public init() {}

    private mutating func ensure(_ second: Int) {
        if second >= seconds.count { seconds.append(contentsOf: repeatElement(Second(), count: second + 1 - seconds.count)) }
    }

    public mutating func recordSent(atSecond second: Int) {
        ensure(second)
        seconds[second].sent &+= 1
    }

    public mutating func record(_ outcome: QueryOutcome, latencyNanoseconds: UInt64?, atSecond second: Int) {
        ensure(second)
        seconds[second].outcomes[outcome.rawValue] &+= 1
        if let latency = latencyNanoseconds { seconds[second].latency.record(latency) }
    }
}
