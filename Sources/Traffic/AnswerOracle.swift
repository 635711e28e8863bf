import DNSWire
import DNSZone

/// What the zone data says a query should get: the RCODE and the answer records.
///
/// The oracle is the scoring side's own copy of the zones; a response is correct when its RCODE
/// and answer section (as a multiset, order ignored) equal the expectation.
public struct AnswerOracle: Sendable {
    public struct Expected: Sendable, Equatable {
        public var rcode: RCode
        public var answers: [ResourceRecord]
        /// AA: set for data from a zone we serve, clear on a referral.
        public var authoritative: Bool
    }

    public let zones: ZoneSet
    private var cache: [CacheKey: Expected] = [:]

    private struct CacheKey: Hashable {
        var name: DNSName
        var type: RRType
    }

    public init(zones: ZoneSet) { self.zones = zones }

    /// The expectation for a question; cached per (name, type).
    public mutating func expected(for name: DNSName, type: RRType) -> Expected {
        let key = CacheKey(name: name, type: type)
        if let hit = cache[key] { return hit }
        let query = Message.query(id: 0, name: name, type: type)
        let expected: Expected
        if let response = zones.answer(query).message {
            expected = Expected(rcode: response.rcode, answers: response.answers, authoritative: response.flags.contains(.aa))
        } else {
            expected = Expected(rcode: .refused, answers: [], authoritative: false)
        }
        if cache.count < 1_000_000 { cache[key] = expected }
        return expected
    }

    /// True when `response` carries exactly the expected RCODE, AA flag and answer records.
    public static func matches(_ response: Message, _ expected: Expected) -> Bool {
        guard response.rcode == expected.rcode, response.flags.contains(.aa) == expected.authoritative,
            response.answers.count == expected.answers.count
        else { return false }
        var remaining = expected.answers
        for record in response.answers {
            guard let index = remaining.firstIndex(of: record) else { return false }
            remaining.swapAt(index, remaining.count - 1)
            remaining.removeLast()
        }
        return true
    }
}
