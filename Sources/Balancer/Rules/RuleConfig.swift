import DNSWire
import Determinism

/// A rule selector, named after dnsdist 2.0's YAML `selectors` (`type: QNameSuffix` is
/// `.qnameSuffix`). Compiled once by `QueryRuleChain`/`ResponseRuleChain` into a flat program;
/// nothing here is looked at per query.
public indirect enum SelectorConfig: Sendable, Equatable {
    /// `All`: matches everything.
    case all
    /// `QName` / `QNameSet`: the qname equals one of these names (case-insensitively).
    case qname([DNSName])
    /// `QNameSuffix`: the qname equals or lies below one of these names, at any depth.
    case qnameSuffix([DNSName])
    /// `QType`.
    case qtype(RRType)
    /// `QClass`.
    case qclass(DNSClass)
    /// `Opcode`.
    case opcode(Opcode)
    /// `RD`: the RD bit is set.
    case rd
    /// `DNSSEC`: the EDNS DO bit is set.
    case dnssec
    /// `Regex`: the pattern is found (unanchored, case-insensitive) in the qname's presentation
    /// form without the trailing dot. Compiled with Swift's `Regex`; a bad pattern is a
    /// `RuleConfigError`.
    case regex(String)
    /// `NetmaskGroup` with `source: true`: the client address lies in the group.
    case netmaskGroup(NetmaskGroup)
    /// `TCP`: true matches every connection-based transport (TCP, DoT, DoH), false plain UDP.
    case tcp(Bool)
    /// `MaxQPSIP`: matches when the client's subnet (address cut to `ipv4Mask`/`ipv6Mask`)
    /// EXCEEDS `qps` queries per second with a bucket of `burst` (0 means `qps`). Per-subnet state
    /// idle for `expiration` is removed by a sweep every `cleanupDelay` (zero disables the sweep).
    case maxQPSIP(
        qps: UInt32, ipv4Mask: Int = 32, ipv6Mask: Int = 64, burst: UInt32 = 0,
        expiration: SimDuration = .seconds(300), cleanupDelay: SimDuration = .seconds(60))
    /// `MaxQPS`: matches traffic NOT exceeding `qps` (burst 0 means `qps`); a global limit is
    /// `.not(.maxQPS(...))`.
    case maxQPS(qps: UInt32, burst: UInt32 = 0)
    /// `QNameLabelsCount`: as dnsdist, matches when the label count is OUTSIDE `min...max`
    /// (fewer than `min` or more than `max`).
    case qnameLabelsCount(min: Int, max: Int)
    /// `QNameWireLength`: matches when the qname's wire length is OUTSIDE `min...max`.
    case qnameWireLength(min: Int, max: Int)
    /// `PayloadSize`: compares the message length in octets (query or response) with `size`.
    case payloadSize(PayloadComparison, Int)
    /// `Proba`: matches with the given probability (0...1), drawn from the caller's generator at
    /// parts-per-million resolution. 0 and 1 draw nothing.
    case proba(Double)
    /// `Tag`: the tag is set; when `value` is not empty, it must also have that value.
    case tag(name: String, value: String = "")
    /// `RCode`: the low four bits of the RCODE equal this one's. A query's RCODE is taken as 0.
    case rcode(RCode)
    /// `And` (true when empty), `Or` (false when empty), `Not`. And/Or short-circuit left to
    /// right, so a rate selector behind a failing sibling consumes no token.
    case and([SelectorConfig])
    case or([SelectorConfig])
    case not(SelectorConfig)
}

/// `PayloadSize`'s `comparison` parameter.
public enum PayloadComparison: String, Sendable, Equatable, CaseIterable {
    case equal, greater, greaterOrEqual, smaller, smallerOrEqual
}

/// A query action (dnsdist 2.0 YAML `actions`). Terminal ones stop rule processing.
public indirect enum QueryActionConfig: Sendable, Equatable {
    /// `Drop` (terminal).
    case drop
    /// `Allow` (terminal): forward to the pool chosen so far.
    case allow
    /// `TC` (terminal over Do53/UDP only): answer with TC=1. Over a connection-based transport it
    /// does nothing and processing continues, as dnsdist ≥ 1.7.
    case tc
    /// `RCode` (terminal): answer with this RCODE (0...15). nil flags keep the query's bit, as
    /// dnsdist's unset `ResponseConfig` fields do.
    case rcode(RCode, aa: Bool? = nil, ad: Bool? = nil, ra: Bool? = nil)
    /// `Spoof`: answer A queries with the IPv4 addresses, AAAA with the IPv6 ones, ANY with all.
    /// Terminal only when some address fits the qtype; otherwise it does nothing and processing
    /// continues (dnsdist's SpoofAction returns `None` then).
    case spoof([IPAddress], ttl: UInt32 = 60)
    /// `SpoofCNAME` (terminal): answer with one CNAME record, whatever the qtype.
    case spoofCNAME(DNSName, ttl: UInt32 = 60)
    /// `Pool`: route to `pool` ("" is the default pool); terminal unless `stop` is false.
    case pool(String, stop: Bool = true)
    /// `QPSPool`: route to `pool` while under `maxQPS` (terminal unless `stop` is false); over the
    /// limit it does nothing.
    case qpsPool(maxQPS: UInt32, pool: String, stop: Bool = true)
    /// `Delay` (non-terminal): delay the answer, Do53/UDP only.
    case delay(milliseconds: UInt32)
    /// `None` (non-terminal).
    case none
    /// `Log` (non-terminal): marks the outcome as logged; writing the line is the host's job.
    case log
    /// `QPS`: drop the queries above `maxQPS` (terminal then), continue otherwise.
    case qps(maxQPS: UInt32)
    /// `SetSkipCache` (non-terminal).
    case setSkipCache
    /// `SetTag` (non-terminal): later `Tag` selectors in this evaluation see it; it also travels
    /// in the outcome so response rules can see it.
    case setTag(name: String, value: String)
    /// `SetNoRecurse` (non-terminal, as dnsdist's SetNoRecurseAction returns `None`): clear RD.
    case noRecurse
    /// `Continue`: run the action but never stop. Verdict-only actions (drop, allow, tc, rcode,
    /// spoof, spoofCNAME, the drop of `qps`) then have no effect; their side effects (pool, tags,
    /// skip-cache, delay, RD, token consumption) do apply.
    case `continue`(QueryActionConfig)
}

/// A response action (dnsdist 2.0 YAML `response_rules` actions).
public enum ResponseActionConfig: Sendable, Equatable {
    /// `AllowResponse` (terminal).
    case allow
    /// `DropResponse` (terminal).
    case drop
    /// `DelayResponse` (non-terminal, Do53/UDP only).
    case delay(milliseconds: UInt32)
    /// SERVFAIL instead of the answer (terminal). dnsdist reaches this through a Lua response
    /// action returning `DNSResponseAction.ServFail`; there is no YAML type for it.
    case servFail
    /// `TCResponse` (terminal over Do53/UDP only): truncate the answer; over a connection it does
    /// nothing and processing continues.
    case tc
    /// `LogResponse` (non-terminal).
    case log
    /// `None` (non-terminal).
    case none
    /// `SetTagResponse` (non-terminal).
    case setTag(name: String, value: String)
    /// `SetSkipCacheResponse` (non-terminal): do not insert this answer into the packet cache.
    case setSkipCache
}

/// One `query_rules` entry.
public struct QueryRuleConfig: Sendable, Equatable {
    public var name: String?
    public var selector: SelectorConfig
    public var action: QueryActionConfig

    public init(name: String? = nil, selector: SelectorConfig, action: QueryActionConfig) {
        self.name = name
        self.selector = selector
        self.action = action
    }
}

/// One `response_rules` entry.
public struct ResponseRuleConfig: Sendable, Equatable {
    public var name: String?
    public var selector: SelectorConfig
    public var action: ResponseActionConfig

    public init(name: String? = nil, selector: SelectorConfig, action: ResponseActionConfig) {
        self.name = name
        self.selector = selector
        self.action = action
    }
}

/// Why a rule list could not be compiled: the rule's position and name, and what is wrong.
public struct RuleConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        case invalidRegex(pattern: String, message: String)
        case probabilityOutOfRange(Double)
        case maskOutOfRange(ipv4: Int, ipv6: Int)
        case negativeBound(Int)
        case negativeDuration
        case extendedRCode(RCode)
        case emptyTagName
    }

    /// Index of the rule in the list given to the chain.
    public var rule: Int
    public var name: String?
    public var reason: Reason

    public init(rule: Int, name: String?, reason: Reason) {
        self.rule = rule
        self.name = name
        self.reason = reason
    }

    public var description: String {
        let label = name.map { "rule \(rule) (\($0))" } ?? "rule \(rule)"
        switch reason {
        case .invalidRegex(let pattern, let message): return "\(label): invalid regex \"\(pattern)\": \(message)"
        case .probabilityOutOfRange(let value): return "\(label): probability \(value) is not in 0...1"
        case .maskOutOfRange(let v4, let v6): return "\(label): masks /\(v4) and /\(v6) out of range"
        case .negativeBound(let value): return "\(label): bound \(value) is negative"
        case .negativeDuration: return "\(label): negative duration"
        case .extendedRCode(let rcode): return "\(label): RCODE \(rcode) needs ERCode (not supported)"
        case .emptyTagName: return "\(label): empty tag name"
        }
    }
}
