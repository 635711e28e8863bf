import DNSWire
import Determinism

/// dnsdist's global counters that a report shows (names as in `dumpStats()`).
public struct BalancerStats: Sendable, Equatable {
    public var queries: UInt64 = 0
    public var responses: UInt64 = 0
    public var aclDrops: UInt64 = 0
    public var nonCompliantQueries: UInt64 = 0
    public var nonCompliantResponses: UInt64 = 0
    public var cacheHits: UInt64 = 0
    public var cacheMisses: UInt64 = 0
    public var dynBlocked: UInt64 = 0
    public var ruleDrop: UInt64 = 0
    public var ruleNXDomain: UInt64 = 0
    public var ruleRefused: UInt64 = 0
    public var ruleServFail: UInt64 = 0
    public var ruleTruncated: UInt64 = 0
    public var selfAnswered: UInt64 = 0
    public var noPolicy: UInt64 = 0
    public var downstreamTimeouts: UInt64 = 0
    /// Responses from a backend whose ID matched no outstanding query (late after a timeout, or
    /// a mismatched question).
    public var unmatchedResponses: UInt64 = 0
    /// In-flight slots overwritten before their answer came (dnsdist's `reuseds`).
    public var reusedSlots: UInt64 = 0
    public var responseDrops: UInt64 = 0
    public var forwarded: UInt64 = 0

    public init() {}

    /// Name and value of every counter, in a fixed order, for reports.
    public var fields: [(String, UInt64)] {
        [
            ("queries", queries), ("responses", responses), ("acl-drops", aclDrops),
            ("noncompliant-queries", nonCompliantQueries), ("noncompliant-responses", nonCompliantResponses),
            ("cache-hits", cacheHits), ("cache-misses", cacheMisses), ("dyn-blocked", dynBlocked),
            ("rule-drop", ruleDrop), ("rule-nxdomain", ruleNXDomain), ("rule-refused", ruleRefused),
            ("rule-servfail", ruleServFail), ("rule-truncated", ruleTruncated), ("self-answered", selfAnswered),
            ("no-policy", noPolicy), ("downstream-timeouts", downstreamTimeouts),
            ("unmatched-responses", unmatchedResponses), ("reuseds", reusedSlots), ("response-drops", responseDrops),
            ("forwarded", forwarded),
        ]
    }
}

/// Something a report plots on its time axis: dynamic blocks coming and going, backends going
/// down and up.
public enum BalancerEvent: Sendable, Equatable {
    case dynamicBlock(DynBlockEvent, at: Instant)
    case backend(BackendStateChange)
}
